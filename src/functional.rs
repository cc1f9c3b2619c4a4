//! The nn ops as free functions over a Tensor or a Variable
//! (`flodl::linear(&x, &w, None)`), expanded from the table in `ops::nn`.
//! They sit above `tensor` and `autograd`, whose types their arguments
//! name; the table below them names no type of theirs.

use crate::ops::core_function;

crate::ops::nn::nn_ops!(core_function());
