//! Padding layers, as `torch.nn`'s `ZeroPad`, `ConstantPad`,
//! `ReflectionPad`, `ReplicationPad` and `CircularPad` (1-d, 2-d, 3-d):
//! `pad` with their mode on the last 1, 2 or 3 dims.

use super::{Module, Parameter};
use crate::error::Result;
use crate::{PadMode, Variable};

/// Declares a padding layer of `$dims` dims padding with `$mode`.
macro_rules! padding_layer {
    ($(#[$doc:meta])* $name:ident, $dims:literal, $mode:expr, $value:expr) => {
        padding_layer!($(#[$doc])* $name, $dims, $mode, $value, |s| super::py_tuple(&s.padding));
    };
    ($(#[$doc:meta])* $name:ident, $dims:literal, $mode:expr, $value:expr, |$s:ident| $repr:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct $name {
            /// `(before, after)` pairs from the last dim backwards.
            pub padding: [i64; 2 * $dims],
            /// What constant padding fills in.
            pub value: f64,
        }

        impl $name {
            /// `(before, after)` pairs from the last dim backwards.
            pub fn new(padding: [i64; 2 * $dims]) -> Self {
                $name { padding, value: $value }
            }

            /// The same padding on every side.
            pub fn uniform(padding: i64) -> Self {
                Self::new([padding; 2 * $dims])
            }
        }

        impl Module for $name {
            fn forward(&self, input: &Variable) -> Result<Variable> {
                let mode: PadMode = $mode;
                let value = (mode == PadMode::Constant).then_some(self.value);
                input.pad(&self.padding, mode, value)
            }
            fn named_parameters(&self) -> Vec<(String, Parameter)> {
                Vec::new()
            }
            fn extra_repr(&self) -> String {
                let $s = self;
                $repr
            }
        }
    };
}

padding_layer!(/// Zeros around the last dim, as `torch.nn.ZeroPad1d`.
    ZeroPad1d, 1, PadMode::Constant, 0.0);
padding_layer!(/// Zeros around the last 2 dims, as `torch.nn.ZeroPad2d`.
    ZeroPad2d, 2, PadMode::Constant, 0.0);
padding_layer!(/// Zeros around the last 3 dims, as `torch.nn.ZeroPad3d`.
    ZeroPad3d, 3, PadMode::Constant, 0.0);
padding_layer!(/// `value` around the last dim, as `torch.nn.ConstantPad1d`.
ConstantPad1d, 1, PadMode::Constant, 0.0, |s| format!(
    "padding={}, value={}",
    super::py_tuple(&s.padding),
    super::py_float(s.value)
));
padding_layer!(/// `value` around the last 2 dims, as `torch.nn.ConstantPad2d`.
ConstantPad2d, 2, PadMode::Constant, 0.0, |s| format!(
    "padding={}, value={}",
    super::py_tuple(&s.padding),
    super::py_float(s.value)
));
padding_layer!(/// `value` around the last 3 dims, as `torch.nn.ConstantPad3d`.
ConstantPad3d, 3, PadMode::Constant, 0.0, |s| format!(
    "padding={}, value={}",
    super::py_tuple(&s.padding),
    super::py_float(s.value)
));
padding_layer!(/// The input mirrored at its edges (last dim), as `torch.nn.ReflectionPad1d`.
    ReflectionPad1d, 1, PadMode::Reflect, 0.0);
padding_layer!(/// The input mirrored at its edges (last 2 dims), as `torch.nn.ReflectionPad2d`.
    ReflectionPad2d, 2, PadMode::Reflect, 0.0);
padding_layer!(/// The input mirrored at its edges (last 3 dims), as `torch.nn.ReflectionPad3d`.
    ReflectionPad3d, 3, PadMode::Reflect, 0.0);
padding_layer!(/// The edge repeated (last dim), as `torch.nn.ReplicationPad1d`.
    ReplicationPad1d, 1, PadMode::Replicate, 0.0);
padding_layer!(/// The edge repeated (last 2 dims), as `torch.nn.ReplicationPad2d`.
    ReplicationPad2d, 2, PadMode::Replicate, 0.0);
padding_layer!(/// The edge repeated (last 3 dims), as `torch.nn.ReplicationPad3d`.
    ReplicationPad3d, 3, PadMode::Replicate, 0.0);
padding_layer!(/// The other end wrapped around (last dim), as `torch.nn.CircularPad1d`.
    CircularPad1d, 1, PadMode::Circular, 0.0);
padding_layer!(/// The other end wrapped around (last 2 dims), as `torch.nn.CircularPad2d`.
    CircularPad2d, 2, PadMode::Circular, 0.0);
padding_layer!(/// The other end wrapped around (last 3 dims), as `torch.nn.CircularPad3d`.
    CircularPad3d, 3, PadMode::Circular, 0.0);
