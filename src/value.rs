//! [`Value`]: the nested containers a checkpoint holds (an optimizer's
//! `state_dict`, `{"model": ..., "optim": ..., "epoch": 3}`), with the
//! kinds Python gives them, so that one file format and one state-dict
//! layout serve both languages.

use crate::Tensor;

/// A dict key: a string or an integer (an optimizer numbers its state).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    Str(String),
    Int(i64),
}

impl From<&str> for Key {
    fn from(s: &str) -> Self {
        Key::Str(s.to_string())
    }
}

impl From<String> for Key {
    fn from(s: String) -> Self {
        Key::Str(s)
    }
}

impl From<usize> for Key {
    fn from(i: usize) -> Self {
        // An index into memory fits an i64.
        Key::Int(i as i64)
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Str(s) => f.write_str(s),
            Key::Int(i) => write!(f, "{i}"),
        }
    }
}

/// A tensor, a number, a string, `None`, or a list, tuple or dict of them
/// (Python's kinds; a dict keeps its order).
#[derive(Debug, Clone)]
pub enum Value {
    Tensor(Tensor),
    Float(f64),
    Int(i64),
    Bool(bool),
    Str(String),
    None,
    List(Vec<Value>),
    Tuple(Vec<Value>),
    Dict(Vec<(Key, Value)>),
    /// A Python object of a type the core has no variant for, as its type's
    /// name around its content: `("OrderedDict", a Dict)`, `("ndarray", a
    /// Tuple of the numpy dtype's name and a Tensor holding the values)`,
    /// `("set", a List)`, `("Size", a Tuple)`, `("dtype", a Str)`,
    /// `("Namespace", a Dict)`. A checkpoint written from Python comes back
    /// there as it was saved; Rust reads the content (`get` and `items` look
    /// through the wrapper, and `get` gives an entry's content).
    Typed(String, Box<Value>),
}

impl Value {
    /// The kind's name, for errors ("a float", "a dict", ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Tensor(_) => "a tensor",
            Value::Float(_) => "a float",
            Value::Int(_) => "an int",
            Value::Bool(_) => "a bool",
            Value::Str(_) => "a string",
            Value::None => "None",
            Value::List(_) => "a list",
            Value::Tuple(_) => "a tuple",
            Value::Dict(_) => "a dict",
            Value::Typed(_, content) => content.kind(),
        }
    }

    /// What a [`Value::Typed`] holds; any other value itself.
    pub fn content(&self) -> &Value {
        match self {
            Value::Typed(_, content) => content.content(),
            other => other,
        }
    }

    /// The entry `key` of a dict (None for other kinds or a missing key),
    /// as its content when it is a [`Value::Typed`] (the `OrderedDict` state
    /// dict of a checkpoint written from Python is a `Value::Dict` here).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self.content() {
            Value::Dict(entries) => entries
                .iter()
                .find(|(k, _)| matches!(k, Key::Str(s) if s == key))
                .map(|(_, v)| v.content()),
            _ => None,
        }
    }

    /// The items of a list or tuple.
    pub fn items(&self) -> Option<&[Value]> {
        match self.content() {
            Value::List(items) | Value::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// The number of a Float or an Int.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Float(x) => Some(*x),
            // As Python, where an int is a float wherever one is expected.
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    /// The number of an Int.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The number of an Int, or of a Float that is a whole number: a count
    /// as PyTorch's schedulers and optimizers take it (`StepLR(opt, 1.0)`).
    pub fn as_count(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            // In i64's range (the cast saturates): 2**63 itself is out.
            Value::Float(x) if x.fract() == 0.0 && x.abs() < 9.223_372_036_854_776e18 => {
                Some(*x as i64)
            }
            _ => None,
        }
    }

    /// The value of a Bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The text of a Str.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The tensor of a Tensor.
    pub fn as_tensor(&self) -> Option<&Tensor> {
        match self {
            Value::Tensor(t) => Some(t),
            _ => None,
        }
    }

    /// A dict of tensors as `(name, tensor)` pairs: a module's state dict, as
    /// `Module::load_state_dict` takes it. None if this is not a dict of
    /// tensors with string keys.
    pub fn to_state_dict(&self) -> Option<Vec<(String, Tensor)>> {
        let Value::Dict(entries) = self.content() else {
            return None;
        };
        entries
            .iter()
            .map(|(k, v)| match (k, v) {
                (Key::Str(name), Value::Tensor(t)) => Some((name.clone(), t.clone())),
                _ => None,
            })
            .collect()
    }

    /// A dict of string keys from `(name, value)` pairs.
    pub fn dict<K: Into<Key>>(entries: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Dict(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

impl From<Tensor> for Value {
    fn from(t: Tensor) -> Self {
        Value::Tensor(t)
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Value::Float(x)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}

/// A module's state dict (`Module::state_dict`) as a dict of tensors, to go
/// into a checkpoint beside the optimizer's.
impl From<Vec<(String, Tensor)>> for Value {
    fn from(state: Vec<(String, Tensor)>) -> Self {
        Value::dict(state.into_iter().map(|(n, t)| (n, Value::Tensor(t))))
    }
}
