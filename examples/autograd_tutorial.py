"""The autograd tutorial in Python; examples/autograd_tutorial.rs is the same
program in Rust. Run: `make demo`."""

import flodl
from flodl import Device, Tensor, Variable, no_grad

# 1. Leaves: y = x * w with x = 2, w = 3.
x = Variable(Tensor.from_f32([2.0], [1], Device.CPU), True)
w = Variable(Tensor.from_f32([3.0], [1], Device.CPU), True)
y = x.mul(w).sum()
print("y =", y.item())

# 2. backward fills the leaves' gradients: dy/dw = x, dy/dx = w.
y.backward()
print("dy/dw =", w.grad.to_f32_vec())
print("dy/dx =", x.grad.to_f32_vec())

# 3. Gradients accumulate over backward passes...
(x * w).sum().backward()
print("after a second pass, dy/dw =", w.grad.to_f32_vec())

# 4. ...until zero_grad resets them to None.
w.zero_grad()
x.zero_grad()
print("after zero_grad, w.grad is None:", w.grad is None)

# 5. detach: a new leaf sharing the data, with no tracking.
frozen = w.detach()
print(f"detached: requires_grad = {frozen.requires_grad}, is_leaf = {frozen.is_leaf}")

# 6. no_grad: nothing is recorded inside.
with no_grad():
    z = x * w
print("under no_grad: z.requires_grad =", z.requires_grad)

# 7. Errors are exceptions with a class per kind: backward from a non-scalar.
v = Variable(Tensor.from_f32([1.0, 2.0], [2], Device.CPU), True)
try:
    (v * 2.0).backward()
except flodl.AutogradError as e:
    print(f"caught {type(e).__name__}: {e}")
