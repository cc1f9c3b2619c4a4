# torch.func: grad, vmap, jacrev, functional_call; autograd.functional.jacobian
import torch
import torch.nn as nn
from torch.func import functional_call, grad, vmap, jacrev, hessian

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
params = {k: v.detach() for k, v in model.named_parameters()}
x, y = torch.randn(5, 3), torch.randn(5, 1)

def loss_fn(params, xb, yb):
    pred = functional_call(model, params, (xb,))
    return ((pred - yb) ** 2).mean()

g = grad(loss_fn)(params, x, y)
print("grad keys", sorted(g.keys()), round(g["0.weight"].norm().item(), 5))
# per-sample gradients
per_sample = vmap(grad(loss_fn), in_dims=(None, 0, 0))(params, x.unsqueeze(1), y.unsqueeze(1))
print("per-sample", tuple(per_sample["2.weight"].shape), torch.allclose(per_sample["2.weight"].mean(0), g["2.weight"], atol=1e-6))

f = lambda v: torch.sin(v) * v.sum()
v = torch.tensor([0.5, 1.0, 1.5])
J = jacrev(f)(v)
print("jacrev", J.round(decimals=4).tolist())
J2 = torch.autograd.functional.jacobian(f, v)
print("jacobian agree", torch.allclose(J, J2))
H = hessian(lambda v: (v ** 3).sum())(v)
print("hessian diag", torch.diagonal(H).tolist())
batched_dot = vmap(torch.dot)
print("vmap dot", batched_dot(torch.ones(4, 3), torch.arange(12.).view(4, 3)).tolist())
print("vmap lambda", vmap(lambda r: r.max() - r.min())(torch.arange(12.).view(3, 4)).tolist())

# plain autograd.grad over parameters (MAML-style inner step)
w = torch.randn(3, 1, requires_grad=True)
inner_loss = ((x @ w - y) ** 2).mean()
(gw,) = torch.autograd.grad(inner_loss, w, create_graph=True)
w_fast = w - 0.1 * gw
outer = ((x @ w_fast - y) ** 2).mean()
outer.backward()
print("maml outer", round(outer.item(), 5), "w.grad", w.grad.squeeze().round(decimals=4).tolist())
grads = torch.autograd.grad(loss_fn(dict(model.named_parameters()), x, y), list(model.parameters()))
print("n grads", len(grads), [tuple(t.shape) for t in grads][:2])
