//! Losses as modules, as `torch.nn`'s: every one Python's `flodl.nn` has,
//! with PyTorch's options as public fields and its defaults (`Default`),
//! each calling the crate's loss function. A loss takes two or more
//! inputs, so it runs through its own method ([`MSELoss::forward_pair`],
//! [`TripletMarginLoss::forward_triple`], [`CTCLoss::forward_quad`]);
//! [`Module::forward`] is an Argument error. As PyTorch's, a loss prints
//! no options (`MSELoss()`); its class weights are buffers (in
//! `named_buffers` and `state_dict`), as `torch.nn`'s `_WeightedLoss`
//! registers them. PyTorch's deprecated `size_average` and `reduce` are
//! left out.
//!
//! Arguments a loss differentiates are Variables; class indices, labels
//! and lengths, which the crate's functions take as Tensors, are Tensors.

use super::{Module, Parameter};
use crate::error::{bail, Result};
use crate::{KlDivReduction, Operand, Reduction, Tensor, Variable};

/// Declares loss modules: each a struct of PyTorch's options with their
/// defaults (`Default`), the method that computes the loss on its inputs,
/// and a [`Module`] whose `forward` is an Argument error naming that
/// method and whose buffers are the listed `Option<Tensor>` fields.
macro_rules! losses {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident {
            $( $(#[doc = $fdoc:literal])* $field:ident: $ty:ty = $default:expr ),* $(,)?
        }
        buffers [$($buffer:ident),*]
        $(#[doc = $mdoc:literal])*
        $method:ident($($arg:ident: $aty:ty),+) => |$s:tt| $body:expr;
    )*) => {$(
        $(#[doc = $doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            $( $(#[doc = $fdoc])* pub $field: $ty, )*
        }

        impl Default for $name {
            /// PyTorch's defaults.
            fn default() -> Self {
                $name { $($field: $default),* }
            }
        }

        impl $name {
            $(#[doc = $mdoc])*
            pub fn $method(&self, $($arg: $aty),+) -> Result<Variable> {
                let $s = self;
                $body
            }
        }

        impl Module for $name {
            /// A loss takes several inputs: an Argument error naming the
            /// method to call instead.
            fn forward(&self, _input: &Variable) -> Result<Variable> {
                let args = [$(stringify!($arg)),+];
                bail!(
                    Argument,
                    "{}: takes {} inputs; call {}({})",
                    stringify!($name),
                    count_word(args.len()),
                    stringify!($method),
                    args.join(", ")
                )
            }
            fn named_parameters(&self) -> Vec<(String, Parameter)> {
                Vec::new()
            }
            fn named_buffers(&self) -> Vec<(String, Variable)> {
                buffers(&[$((stringify!($buffer), self.$buffer.as_ref())),*])
            }
        }
    )*};
}

losses! {
    /// The mean (or sum) of `|input - target|`, as `torch.nn.L1Loss`.
    L1Loss {
        /// How the per-element losses reduce (default mean).
        reduction: Reduction = Reduction::Mean,
    }
    buffers []
    /// The loss of `input` against `target` (of the same shape).
    forward_pair(input: &Variable, target: &Variable)
        => |l| crate::l1_loss(input, target, l.reduction);

    /// The mean (or sum) of `(input - target)^2`, as `torch.nn.MSELoss`.
    MSELoss {
        /// How the per-element losses reduce (default mean).
        reduction: Reduction = Reduction::Mean,
    }
    buffers []
    /// The loss of `input` against `target` (of the same shape).
    forward_pair(input: &Variable, target: &Variable)
        => |l| crate::mse_loss(input, target, l.reduction);

    /// Squared error (halved, over `beta`) below `beta`, absolute error
    /// (less `beta / 2`) above, as `torch.nn.SmoothL1Loss`.
    SmoothL1Loss {
        /// How the per-element losses reduce (default mean).
        reduction: Reduction = Reduction::Mean,
        /// Where the loss turns from squared to absolute (default 1).
        beta: f64 = 1.0,
    }
    buffers []
    /// The loss of `input` against `target` (of the same shape).
    forward_pair(input: &Variable, target: &Variable)
        => |l| crate::smooth_l1_loss(input, target, l.reduction, l.beta);

    /// Squared error (halved) below `delta`, `delta` times the absolute
    /// error (less `delta / 2`) above, as `torch.nn.HuberLoss`.
    HuberLoss {
        /// How the per-element losses reduce (default mean).
        reduction: Reduction = Reduction::Mean,
        /// Where the loss turns from squared to linear (default 1).
        delta: f64 = 1.0,
    }
    buffers []
    /// The loss of `input` against `target` (of the same shape).
    forward_pair(input: &Variable, target: &Variable)
        => |l| crate::huber_loss(input, target, l.reduction, l.delta);

    /// Cross-entropy of logits `[N, C, ...]` against class indices (Int64)
    /// or class probabilities, as `torch.nn.CrossEntropyLoss`.
    CrossEntropyLoss {
        /// A weight per class (a buffer), or None (default).
        weight: Option<Tensor> = None,
        /// A target class skipped (default -100).
        ignore_index: i64 = -100,
        /// How the per-sample losses reduce (default mean: weighted).
        reduction: Reduction = Reduction::Mean,
        /// How much of the uniform distribution is mixed into the
        /// target (default 0).
        label_smoothing: f64 = 0.0,
    }
    buffers [weight]
    /// The loss of the logits `input` against `target`.
    forward_pair(input: &Variable, target: &Tensor)
        => |l| crate::cross_entropy(input, target, l.weight.as_ref(), l.ignore_index, l.reduction, l.label_smoothing);

    /// Negative log-likelihood of log-probabilities `[N, C, ...]` at the
    /// Int64 class indices, as `torch.nn.NLLLoss`.
    NLLLoss {
        /// A weight per class (a buffer), or None (default).
        weight: Option<Tensor> = None,
        /// A target class skipped (default -100).
        ignore_index: i64 = -100,
        /// How the per-sample losses reduce (default mean: weighted).
        reduction: Reduction = Reduction::Mean,
    }
    buffers [weight]
    /// The loss of the log-probabilities `input` at the classes `target`.
    forward_pair(input: &Variable, target: &Tensor)
        => |l| crate::nll_loss(input, target, l.weight.as_ref(), l.ignore_index, l.reduction);

    /// Binary cross-entropy of probabilities against targets in `[0, 1]`,
    /// as `torch.nn.BCELoss`.
    BCELoss {
        /// A weight per element (a buffer, broadcast), or None (default).
        weight: Option<Tensor> = None,
        /// How the per-element losses reduce (default mean).
        reduction: Reduction = Reduction::Mean,
    }
    buffers [weight]
    /// The loss of the probabilities `input` against `target`.
    forward_pair(input: &Variable, target: &Variable)
        => |l| crate::binary_cross_entropy(input, target, l.weight.as_ref(), l.reduction);

    /// Binary cross-entropy of `sigmoid(input)`, computed stably from the
    /// logits, as `torch.nn.BCEWithLogitsLoss`.
    BCEWithLogitsLoss {
        /// A weight per element (a buffer, broadcast), or None (default).
        weight: Option<Tensor> = None,
        /// How the per-element losses reduce (default mean).
        reduction: Reduction = Reduction::Mean,
        /// A weight of the positive term per class (a buffer), or None
        /// (default).
        pos_weight: Option<Tensor> = None,
    }
    buffers [weight, pos_weight]
    /// The loss of the logits `input` against `target`.
    forward_pair(input: &Variable, target: &Variable)
        => |l| crate::binary_cross_entropy_with_logits(input, target, l.weight.as_ref(), l.reduction, l.pos_weight.as_ref());

    /// Kullback-Leibler divergence of the log-probabilities `input` from
    /// `target`, as `torch.nn.KLDivLoss`.
    KLDivLoss {
        /// How the per-element losses reduce (default mean; batchmean
        /// is the mathematically right one).
        reduction: KlDivReduction = KlDivReduction::Mean,
        /// Whether `target` holds log-probabilities (default false).
        log_target: bool = false,
    }
    buffers []
    /// The divergence of `input` (log-probabilities) from `target`.
    forward_pair(input: &Variable, target: &Variable)
        => |l| crate::kl_div(input, target, l.reduction, l.log_target);

    /// `1 - cos(x1, x2)` where the label is 1, `max(0, cos(x1, x2) -
    /// margin)` where it is -1, as `torch.nn.CosineEmbeddingLoss`.
    CosineEmbeddingLoss {
        /// The margin of the dissimilar pairs (default 0).
        margin: f64 = 0.0,
        /// How the per-pair losses reduce (default mean).
        reduction: Reduction = Reduction::Mean,
    }
    buffers []
    /// The loss of the pairs `input1`, `input2` with the labels `target`
    /// (1 or -1).
    forward_triple(input1: &Variable, input2: &Variable, target: &Tensor)
        => |l| crate::cosine_embedding_loss(input1, input2, target, l.margin, l.reduction);

    /// `max(0, -target * (x1 - x2) + margin)`, as
    /// `torch.nn.MarginRankingLoss`.
    MarginRankingLoss {
        /// The margin (default 0).
        margin: f64 = 0.0,
        /// How the per-element losses reduce (default mean).
        reduction: Reduction = Reduction::Mean,
    }
    buffers []
    /// The loss of ranking `input1` above `input2` where `target` is 1,
    /// below where it is -1.
    forward_triple(input1: &Variable, input2: &Variable, target: &Variable)
        => |l| crate::margin_ranking_loss(input1, input2, target, l.margin, l.reduction);

    /// `x` where the label is 1, `max(0, margin - x)` where it is -1, as
    /// `torch.nn.HingeEmbeddingLoss`.
    HingeEmbeddingLoss {
        /// The margin (default 1).
        margin: f64 = 1.0,
        /// How the per-element losses reduce (default mean).
        reduction: Reduction = Reduction::Mean,
    }
    buffers []
    /// The loss of the distances `input` with the labels `target` (1 or -1).
    forward_pair(input: &Variable, target: &Tensor)
        => |l| crate::hinge_embedding_loss(input, target, l.margin, l.reduction);

    /// The multi-class hinge loss, as `torch.nn.MultiMarginLoss`.
    MultiMarginLoss {
        /// The power of the hinge, 1 or 2 (default 1).
        p: i64 = 1,
        /// The margin (default 1).
        margin: f64 = 1.0,
        /// A weight per class (a buffer), or None (default).
        weight: Option<Tensor> = None,
        /// How the per-sample losses reduce (default mean).
        reduction: Reduction = Reduction::Mean,
    }
    buffers [weight]
    /// The loss of the scores `input` `[N, C]` against the Int64 classes `target`.
    forward_pair(input: &Variable, target: &Tensor)
        => |l| crate::multi_margin_loss(input, target, l.p, l.margin, l.weight.as_ref(), l.reduction);

    /// The multi-label hinge loss, as `torch.nn.MultiLabelMarginLoss`.
    MultiLabelMarginLoss {
        /// How the per-sample losses reduce (default mean).
        reduction: Reduction = Reduction::Mean,
    }
    buffers []
    /// The loss of `input` `[N, C]` against Int64 `target` of the same
    /// shape: each sample's classes, ended by -1.
    forward_pair(input: &Variable, target: &Tensor)
        => |l| crate::multilabel_margin_loss(input, target, l.reduction);

    /// The binary cross-entropy of logits per class, averaged over the
    /// classes, as `torch.nn.MultiLabelSoftMarginLoss`.
    MultiLabelSoftMarginLoss {
        /// A weight per class (a buffer), or None (default).
        weight: Option<Tensor> = None,
        /// How the per-sample losses reduce (default mean).
        reduction: Reduction = Reduction::Mean,
    }
    buffers [weight]
    /// The loss of the logits `input` `[N, C]` against 0/1 `target`.
    forward_pair(input: &Variable, target: &Tensor)
        => |l| crate::multilabel_soft_margin_loss(input, target, l.weight.as_ref(), l.reduction);

    /// `log(1 + exp(-target * input))`, as `torch.nn.SoftMarginLoss`.
    SoftMarginLoss {
        /// How the per-element losses reduce (default mean).
        reduction: Reduction = Reduction::Mean,
    }
    buffers []
    /// The loss of `input` with the labels `target` (1 or -1).
    forward_pair(input: &Variable, target: &Tensor)
        => |l| crate::soft_margin_loss(input, target, l.reduction);

    /// `max(d(a, p) - d(a, n) + margin, 0)` with the `p`-norm distance, as
    /// `torch.nn.TripletMarginLoss`.
    TripletMarginLoss {
        /// The margin (default 1).
        margin: f64 = 1.0,
        /// The norm of the distance (default 2).
        p: f64 = 2.0,
        /// Added to the differences before the norm (default 1e-6).
        eps: f64 = 1e-6,
        /// Use the smaller of `d(a, n)` and `d(p, n)` (default false).
        swap: bool = false,
        /// How the per-triplet losses reduce (default mean).
        reduction: Reduction = Reduction::Mean,
    }
    buffers []
    /// The loss of the triplets `anchor`, `positive`, `negative`.
    forward_triple(anchor: &Variable, positive: &Variable, negative: &Variable)
        => |l| crate::triplet_margin_loss(anchor, positive, negative, l.margin, l.p, l.eps, l.swap, l.reduction);

    /// Negative log-likelihood of a Poisson `target` with rate
    /// `exp(input)` (`input` itself without `log_input`), as
    /// `torch.nn.PoissonNLLLoss`.
    PoissonNLLLoss {
        /// Whether `input` is the log of the rate (default true).
        log_input: bool = true,
        /// Add Stirling's approximation of `log(target!)` (default false).
        full: bool = false,
        /// Added to the rate before its log without `log_input` (default
        /// 1e-8).
        eps: f64 = 1e-8,
        /// How the per-element losses reduce (default mean).
        reduction: Reduction = Reduction::Mean,
    }
    buffers []
    /// The loss of the (log-)rates `log_input` against the counts `target`.
    forward_pair(log_input: &Variable, target: &Variable)
        => |l| crate::poisson_nll_loss(log_input, target, l.log_input, l.full, l.eps, l.reduction);

    /// Negative log-likelihood of `target` under a Gaussian of mean `input`
    /// and variance `var`, as `torch.nn.GaussianNLLLoss`.
    GaussianNLLLoss {
        /// Add the constant `log(2 pi) / 2` (default false).
        full: bool = false,
        /// The least variance (a clamp that keeps `var`'s gradient;
        /// default 1e-6).
        eps: f64 = 1e-6,
        /// How the per-element losses reduce (default mean).
        reduction: Reduction = Reduction::Mean,
    }
    buffers []
    /// The loss of the means `input` and variances `var` against `target`.
    forward_triple(input: &Variable, target: &Variable, var: &Variable)
        => |l| crate::gaussian_nll_loss(input, target, var, l.full, l.eps, l.reduction);

    /// Connectionist temporal classification loss of `log_probs`
    /// (`[T, N, C]`) against target sequences, as `torch.nn.CTCLoss`.
    CTCLoss {
        /// The blank class (default 0).
        blank: i64 = 0,
        /// How the per-sequence losses reduce (default mean: each over
        /// its target length first).
        reduction: Reduction = Reduction::Mean,
        /// Infinite losses (and their gradients) as zero (default false).
        zero_infinity: bool = false,
    }
    buffers []
    /// The loss of `log_probs` against `targets` (padded `[N, S]`, or
    /// concatenated), with each sequence's input and target length.
    forward_quad(log_probs: &Variable, targets: &Tensor, input_lengths: &Tensor, target_lengths: &Tensor)
        => |l| crate::ctc_loss(log_probs, targets, input_lengths, target_lengths, l.blank, l.reduction, l.zero_infinity);
}

/// A distance between the rows of two batches, for
/// [`TripletMarginWithDistanceLoss`].
pub type DistanceFunction =
    std::sync::Arc<dyn Fn(&Variable, &Variable) -> Result<Variable> + Send + Sync>;

/// `max(d(a, p) - d(a, n) + margin, 0)` with a distance of one's own, as
/// `torch.nn.TripletMarginWithDistanceLoss`: `distance_function` (None:
/// the 2-norm [`super::PairwiseDistance`], PyTorch's default) gives the
/// distances, and [`crate::triplet_margin_distance_loss`] the loss from
/// them.
#[derive(Clone)]
pub struct TripletMarginWithDistanceLoss {
    /// The distance (default None: `pairwise_distance`, p = 2, eps = 1e-6).
    pub distance_function: Option<DistanceFunction>,
    /// The margin, positive (default 1).
    pub margin: f64,
    /// Use the smaller of `d(a, n)` and `d(p, n)` (default false).
    pub swap: bool,
    /// How the per-triplet losses reduce (default mean).
    pub reduction: Reduction,
}

impl Default for TripletMarginWithDistanceLoss {
    /// PyTorch's defaults.
    fn default() -> Self {
        TripletMarginWithDistanceLoss {
            distance_function: None,
            margin: 1.0,
            swap: false,
            reduction: Reduction::Mean,
        }
    }
}

impl std::fmt::Debug for TripletMarginWithDistanceLoss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let distance = match self.distance_function {
            Some(_) => "Some(<function>)",
            None => "None",
        };
        f.debug_struct("TripletMarginWithDistanceLoss")
            .field("distance_function", &format_args!("{distance}"))
            .field("margin", &self.margin)
            .field("swap", &self.swap)
            .field("reduction", &self.reduction)
            .finish()
    }
}

impl TripletMarginWithDistanceLoss {
    /// The loss of the triplets `anchor`, `positive`, `negative` (of one
    /// rank).
    pub fn forward_triple(
        &self,
        anchor: &Variable,
        positive: &Variable,
        negative: &Variable,
    ) -> Result<Variable> {
        let ranks = [anchor, positive, negative].map(|v| v.shape().len());
        if ranks[0] != ranks[1] || ranks[1] != ranks[2] {
            bail!(
                Shape,
                "triplet_margin_with_distance_loss: The anchor, positive, and negative tensors are expected \
                 to have the same number of dimensions, but got: anchor {}D, positive {}D, and \
                 negative {}D inputs",
                ranks[0],
                ranks[1],
                ranks[2]
            );
        }
        let distance = |a: &Variable, b: &Variable| match &self.distance_function {
            Some(d) => d(a, b),
            None => PAIRWISE_DISTANCE.forward_pair(a, b),
        };
        // In PyTorch's order (the order backward sums the gradients in).
        let to_positive = distance(anchor, positive)?;
        let to_negative = distance(anchor, negative)?;
        let swapped = match self.swap {
            true => Some(distance(positive, negative)?),
            false => None,
        };
        crate::triplet_margin_distance_loss(
            &to_positive,
            &to_negative,
            swapped.as_ref(),
            self.margin,
            self.reduction,
        )
    }
}

/// The default distance, PyTorch's child module `distance_function`.
static PAIRWISE_DISTANCE: super::PairwiseDistance = super::PairwiseDistance {
    p: 2.0,
    eps: 1e-6,
    keepdim: false,
};

impl Module for TripletMarginWithDistanceLoss {
    /// A loss takes several inputs: an Argument error naming the method to
    /// call instead.
    fn forward(&self, _input: &Variable) -> Result<Variable> {
        bail!(
            Argument,
            "TripletMarginWithDistanceLoss: takes three inputs; call forward_triple(anchor, positive, negative)"
        )
    }
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        Vec::new()
    }
    /// The default distance is a child module, as PyTorch's (a function of
    /// one's own is not).
    fn named_children(&self) -> Vec<(String, &dyn Module)> {
        match self.distance_function {
            Some(_) => Vec::new(),
            None => vec![(
                "distance_function".to_string(),
                &PAIRWISE_DISTANCE as &dyn Module,
            )],
        }
    }
}

/// The buffers that are there, by name, each a Variable on the same
/// libtorch tensor as the field (not a copy, nor a detached alias), so
/// that `load_state_dict` writes into it and `Module::to` moves it.
fn buffers(pairs: &[(&str, Option<&Tensor>)]) -> Vec<(String, Variable)> {
    pairs
        .iter()
        .filter_map(|(name, t)| {
            let t = (*t)?;
            Some((
                name.to_string(),
                Variable::from_raw(t.raw().shallow_clone()),
            ))
        })
        .collect()
}

/// `n` as a word, for the messages.
fn count_word(n: usize) -> String {
    match n {
        2 => "two".into(),
        3 => "three".into(),
        4 => "four".into(),
        _ => n.to_string(),
    }
}
