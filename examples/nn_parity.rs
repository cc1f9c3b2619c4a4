//! Rust's flodl::nn layers on inputs from a file, for the parity tests
//! (tests/python/test_rust_layers.py): each layer is built after
//! `manual_seed(0)`, so its parameters must be PyTorch's and flodl.nn's,
//! and in evaluation mode it writes its output, the gradients of
//! `sum(output^2) / 2` (parameters and input) and, next to the outputs in
//! `OUTPUTS.errors.json`, the kind and message of its error on a 1-d input,
//! which Python's twin class must give too; in `OUTPUTS.reprs.json`, its
//! repr, which must be PyTorch's.
//!
//! ```text
//! cargo run --release --example nn_parity -- inputs.safetensors outputs.safetensors
//! ```

use flodl::nn::{self, Module, RecurrentOptions, TransformerOptions};
use flodl::{Result, Tensor, Variable};

fn layer(name: &str) -> Result<Box<dyn Module>> {
    let stacked = RecurrentOptions {
        num_layers: 2,
        bidirectional: true,
        batch_first: true,
        ..Default::default()
    };
    let encoder = TransformerOptions {
        dim_feedforward: 16,
        dropout: 0.0,
        ..Default::default()
    };
    Ok(match name {
        "linear" => Box::new(nn::Linear::new(5, 4, true)?),
        "conv2d" => Box::new(nn::Conv2d::new(3, 4, 3, 1, 1)?),
        "conv1d" => Box::new(nn::Conv1d::new(3, 4, 3, 2, 1)?),
        "conv3d" => Box::new(nn::Conv3d::new(2, 3, 3, 1, 1)?),
        "conv_transpose1d" => Box::new(nn::ConvTranspose1d::new(3, 2, 3, 2, 1)?),
        "conv_transpose2d" => Box::new(nn::ConvTranspose2d::new(3, 2, 3, 2, 0)?),
        "layer_norm" => Box::new(nn::LayerNorm::new(6)?),
        "batch_norm" => Box::new(nn::BatchNorm2d::new(3)?),
        "batch_norm3d_batch_stats" => Box::new(nn::BatchNorm3d::with_options(
            2,
            nn::BatchNormOptions {
                momentum: None,
                affine: false,
                track_running_stats: false,
                ..Default::default()
            },
        )?),
        "group_norm" => Box::new(nn::GroupNorm::new(2, 4)?),
        "embedding" => Box::new(nn::Embedding::new(10, 3, Some(0))?),
        "lstm" => Box::new(nn::LSTM::new(3, 4, stacked)?),
        "gru" => Box::new(nn::GRU::new(3, 4, Default::default())?),
        "rnn_relu" => Box::new(nn::RNN::new(
            3,
            4,
            nn::CellKind::RnnRelu,
            RecurrentOptions {
                num_layers: 2,
                bidirectional: true,
                ..Default::default()
            },
        )?),
        "lstm_proj" => Box::new(nn::LSTM::new(
            3,
            5,
            RecurrentOptions {
                num_layers: 2,
                proj_size: 2,
                ..Default::default()
            },
        )?),
        "mha" => Box::new(nn::MultiheadAttention::new(
            8,
            2,
            nn::MultiheadAttentionOptions {
                batch_first: true,
                ..Default::default()
            },
        )?),
        "mha_bias_kv" => Box::new(nn::MultiheadAttention::new(
            8,
            2,
            nn::MultiheadAttentionOptions {
                add_bias_kv: true,
                add_zero_attn: true,
                bias: false,
                ..Default::default()
            },
        )?),
        "encoder" => Box::new(nn::TransformerEncoderLayer::new(8, 2, encoder)?),
        "decoder" => Box::new(nn::TransformerDecoderLayer::new(
            8,
            2,
            TransformerOptions {
                norm_first: true,
                activation: nn::Activation::Gelu,
                ..encoder
            },
        )?),
        "encoder_stack" => Box::new(nn::TransformerEncoder::new(
            nn::TransformerEncoderLayer::new(8, 2, encoder)?,
            2,
            Some(nn::LayerNorm::new(8)?),
        )?),
        "transformer" => Box::new(nn::Transformer::new(8, 2, 2, 1, encoder)?),
        "conv2d_options" => Box::new(nn::Conv2d::with_options(
            4,
            6,
            [3, 2],
            nn::ConvOptions {
                stride: [2, 1],
                padding: [1, 0].into(),
                dilation: [1, 2],
                groups: 2,
                bias: false,
                ..Default::default()
            },
        )?),
        "conv2d_same_reflect" => Box::new(nn::Conv2d::with_options(
            3,
            4,
            [3, 2],
            nn::ConvOptions {
                padding: nn::ConvPadding::Same,
                padding_mode: flodl::PadMode::Reflect,
                ..Default::default()
            },
        )?),
        "conv1d_circular" => Box::new(nn::Conv1d::with_options(
            2,
            3,
            [3],
            nn::ConvOptions {
                padding: [2].into(),
                padding_mode: flodl::PadMode::Circular,
                ..Default::default()
            },
        )?),
        "conv_transpose3d" => Box::new(nn::ConvTranspose3d::with_options(
            4,
            2,
            [2, 3, 2],
            nn::ConvTransposeOptions {
                stride: [2, 1, 2],
                padding: [0, 1, 1],
                output_padding: [1, 0, 1],
                groups: 2,
                dilation: [1, 2, 1],
                ..Default::default()
            },
        )?),
        "conv1d_depthwise" => Box::new(nn::Conv1d::with_options(
            4,
            8,
            [3],
            nn::ConvOptions {
                padding: [1].into(),
                groups: 4,
                ..Default::default()
            },
        )?),
        "layer_norm_shape" => Box::new(nn::LayerNorm::with_shape(&[3, 4], 1e-3, true, false)?),
        "identity" => Box::new(nn::Identity),
        "flatten" => Box::new(nn::Flatten {
            start_dim: 0,
            end_dim: 1,
        }),
        "unflatten" => Box::new(nn::Unflatten {
            dim: 1,
            sizes: vec![2, -1],
        }),
        "max_pool1d" => Box::new(nn::MaxPool1d {
            stride: Some(2),
            padding: 1,
            ..nn::MaxPool1d::new(3)
        }),
        "max_pool2d" => Box::new(nn::MaxPool2d {
            stride: Some([1, 2]),
            dilation: [2, 1],
            ceil_mode: true,
            ..nn::MaxPool2d::new([2, 3])
        }),
        "avg_pool1d" => Box::new(nn::AvgPool1d {
            padding: 1,
            count_include_pad: false,
            ..nn::AvgPool1d::new(3)
        }),
        "avg_pool2d" => Box::new(nn::AvgPool2d {
            stride: Some([2, 1]),
            padding: [1, 0],
            ..nn::AvgPool2d::new([3, 2])
        }),
        "adaptive_max_pool2d" => Box::new(nn::AdaptiveMaxPool2d {
            output_size: [2, 3],
        }),
        "pixel_shuffle" => Box::new(nn::PixelShuffle { upscale_factor: 2 }),
        "adaptive_avg_pool3d" => Box::new(nn::AdaptiveAvgPool3d {
            output_size: [2, 3, 1],
        }),
        "adaptive_max_pool3d" => Box::new(nn::AdaptiveMaxPool3d {
            output_size: [2, 1, 2],
        }),
        "channel_shuffle" => Box::new(nn::ChannelShuffle { groups: 3 }),
        "local_response_norm" => Box::new(nn::LocalResponseNorm {
            alpha: 1e-3,
            beta: 0.5,
            k: 2.0,
            ..nn::LocalResponseNorm::new(3)
        }),
        "lp_pool1d" => Box::new(nn::LPPool1d {
            stride: Some(2),
            ..nn::LPPool1d::new(2.0, 3)
        }),
        "lp_pool2d" => Box::new(nn::LPPool2d {
            ceil_mode: true,
            ..nn::LPPool2d::new(2.0, [2, 3])
        }),
        "lp_pool3d" => Box::new(nn::LPPool3d::new(4.0, [2, 2, 2])),
        "unfold" => Box::new(nn::Unfold {
            stride: [2, 1],
            padding: [1, 0],
            ..nn::Unfold::new([2, 3])
        }),
        "fold" => Box::new(nn::Fold {
            stride: [2, 2],
            ..nn::Fold::new([4, 6], [2, 2])
        }),
        "max_pool3d" => Box::new(nn::MaxPool3d {
            stride: Some([1, 2, 1]),
            padding: [1, 1, 1],
            ceil_mode: true,
            ..nn::MaxPool3d::new([2, 2, 2])
        }),
        "avg_pool3d" => Box::new(nn::AvgPool3d {
            padding: [1, 1, 1],
            count_include_pad: false,
            ..nn::AvgPool3d::new([2, 3, 2])
        }),
        "adaptive_avg_pool1d" => Box::new(nn::AdaptiveAvgPool1d { output_size: 3 }),
        "reflection_pad2d" => Box::new(nn::ReflectionPad2d::new([1, 2, 0, 1])),
        "constant_pad1d" => Box::new(nn::ConstantPad1d {
            value: 3.5,
            ..nn::ConstantPad1d::uniform(2)
        }),
        "upsample_bilinear" => Box::new(nn::Upsample {
            align_corners: Some(true),
            ..nn::Upsample::scale(2.0, flodl::InterpolateMode::Bilinear)
        }),
        "upsample_nearest" => Box::new(nn::Upsample::to_size(
            &[5, 7],
            flodl::InterpolateMode::Nearest,
        )),
        "instance_norm3d_stats" => Box::new(nn::InstanceNorm3d::with_options(
            2,
            nn::BatchNormOptions {
                affine: true,
                track_running_stats: true,
                ..Default::default()
            },
        )?),
        "rms_norm_shape" => Box::new(nn::RMSNorm::with_shape(&[3, 4], Some(1e-3), true)?),
        "dropout2d" => Box::new(nn::Dropout2d::new(0.5)?),
        "instance_norm1d" => Box::new(nn::InstanceNorm1d::new(3, true)?),
        "instance_norm2d" => Box::new(nn::InstanceNorm2d::new(3, false)?),
        "rms_norm" => Box::new(nn::RMSNorm::new(6, None, true)?),
        "embedding_bag" => Box::new(nn::EmbeddingBag::new(10, 3, flodl::EmbeddingBagMode::Mean)?),
        "rnn_cell" => Box::new(nn::RNNCell::new(nn::CellKind::RnnTanh, 3, 4, true)?),
        "lstm_cell" => Box::new(nn::LSTMCell::new(nn::CellKind::Lstm, 3, 4, true)?),
        "gru_cell" => Box::new(nn::GRUCell::new(nn::CellKind::Gru, 3, 4, false)?),
        "sequential" => Box::new(
            nn::Sequential::new()
                .add(nn::Linear::new(5, 4, true)?)
                .add(nn::ReLU)
                .add(nn::Linear::new(4, 3, true)?),
        ),
        "upsampling_nearest2d" => Box::new(nn::UpsamplingNearest2d::scale(2.0)),
        "upsampling_bilinear2d" => Box::new(nn::UpsamplingBilinear2d::to_size([5, 7])),
        "embedding_padding_from_end" => Box::new(nn::Embedding::new(10, 3, Some(-2))?),
        "dropout" => Box::new(nn::Dropout::new(0.25)?),
        "embedding_bag_options" => Box::new(nn::EmbeddingBag::with_options(
            10,
            3,
            nn::EmbeddingBagOptions {
                mode: flodl::EmbeddingBagMode::Sum,
                padding_idx: Some(2),
                scale_grad_by_freq: true,
                ..Default::default()
            },
        )?),
        "embedding_scaled" => Box::new(nn::Embedding {
            scale_grad_by_freq: true,
            norm_type: 1.0,
            ..nn::Embedding::new(10, 3, None)?
        }),
        other => {
            return Err(flodl::Error::new(
                flodl::ErrorKind::Argument,
                format!("no layer {other:?}"),
            ))
        }
    })
}

/// Bilinear as a module of one input: the same tensor twice.
struct Pair(nn::Bilinear);

impl Module for Pair {
    fn forward(&self, input: &Variable) -> Result<Variable> {
        self.0.forward_pair(input, input)
    }
    fn named_parameters(&self) -> Vec<(String, nn::Parameter)> {
        self.0.named_parameters()
    }
    fn repr(&self) -> String {
        self.0.repr()
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (inputs, out) = match &args[..] {
        [_, inputs, out] => (inputs, out),
        _ => {
            return Err(flodl::Error::new(
                flodl::ErrorKind::Argument,
                "usage: nn_parity INPUTS OUTPUTS",
            ))
        }
    };
    let mut results: Vec<(String, Tensor)> = Vec::new();
    let mut errors = serde_json::Map::new();
    let mut reprs = serde_json::Map::new();
    for (name, input) in flodl::io::load(inputs)? {
        flodl::manual_seed(0);
        let module: Box<dyn Module> = if name == "bilinear" {
            Box::new(Pair(nn::Bilinear::new(4, 4, 3, true)?))
        } else {
            layer(&name)?
        };
        module.eval();
        reprs.insert(name.clone(), module.repr().into());
        let constant = Variable::new(input.clone(), false)?;
        let output = flodl::no_grad(|| module.forward(&constant))?;
        results.extend(
            module
                .state_dict()
                .into_iter()
                .map(|(n, t)| (format!("{name}.{n}"), t)),
        );
        results.push((format!("{name}.output"), output.data()));

        // Gradients of sum(output^2) / 2, whose gradient at the output is
        // the output itself.
        let float = input.dtype().is_floating_point();
        let x = Variable::new(input, float)?;
        let out = module.forward(&x)?;
        out.mul(&out)?.sum()?.mul_scalar(0.5)?.backward()?;
        for (n, p) in module.named_parameters() {
            if let Some(grad) = p.grad() {
                results.push((format!("{name}.grad.{n}"), grad));
            }
        }
        if let Some(grad) = x.grad().filter(|_| float) {
            results.push((format!("{name}.grad_input"), grad));
        }

        // A 1-d input no layer takes: its error's kind and message.
        let bad = Variable::new(Tensor::zeros(&[2], Default::default())?, false)?;
        let error = match module.forward(&bad) {
            Ok(_) => serde_json::Value::Null,
            Err(e) => serde_json::json!([format!("{:?}", e.kind()), e.message()]),
        };
        errors.insert(name, error);
    }
    for (suffix, map) in [("errors", errors), ("reprs", reprs)] {
        let path = format!("{out}.{suffix}.json");
        std::fs::write(&path, serde_json::Value::Object(map).to_string())
            .map_err(|e| flodl::Error::new(flodl::ErrorKind::Argument, format!("{path}: {e}")))?;
    }
    flodl::io::save(&results, out)
}
