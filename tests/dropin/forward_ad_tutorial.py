# The forward-mode AD tutorial: dual tensors in a dual level, the
# Jacobian-vector product of a function and of a module with respect to its
# parameters, and a gradient of a tangent (reverse over forward).
import torch
import torch.autograd.forward_ad as fwAD
torch.manual_seed(0)
primal = torch.randn(10, 10)
tangent = torch.randn(10, 10)
def fn(x, y):
    return x ** 2 + y ** 2
with fwAD.dual_level():
    dual_input = fwAD.make_dual(primal, tangent)
    plain_tensor = torch.randn(10, 10)
    dual_output = fn(dual_input, plain_tensor)
    jvp = fwAD.unpack_dual(dual_output).tangent
    print(jvp.sum(), fwAD.unpack_dual(plain_tensor).tangent)
    p, t = fwAD.unpack_dual(dual_output)
    print(p.sum(), type(p).__name__ in ("Tensor", "Variable"))
model = torch.nn.Linear(5, 5)
input = torch.randn(16, 5)
params = {name: p for name, p in model.named_parameters()}
tangents = {name: torch.rand_like(p) for name, p in params.items()}
with fwAD.dual_level():
    for name, p in params.items():
        delattr(model, name)
        setattr(model, name, fwAD.make_dual(p, tangents[name]))
    out = model(input)
    jvp = fwAD.unpack_dual(out).tangent
print(jvp.sum())
print(fwAD.unpack_dual(primal).tangent)
try:
    fwAD.make_dual(primal, tangent)
except Exception as e: print("outside", type(e).__name__ in ("RuntimeError", "AutogradError"))
# reverse over forward
x = torch.randn(3, requires_grad=True)
v = torch.ones(3)
with fwAD.dual_level():
    d = fwAD.make_dual(x, v)
    y = (d.sin() * d).sum()
    t = fwAD.unpack_dual(y).tangent
t.backward()
print(x.grad)
