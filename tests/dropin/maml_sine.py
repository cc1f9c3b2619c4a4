# MAML on sine regression: functional forward with explicit weights, autograd.grad(create_graph=True), second-order meta-gradient
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
def sample_task():
    A = torch.empty(1).uniform_(0.1, 5.0).item(); ph = torch.empty(1).uniform_(0, math.pi).item()
    def draw(n):
        x = torch.empty(n, 1).uniform_(-5, 5)
        return x, A * torch.sin(x + ph)
    return draw
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(1, 40); self.l2 = nn.Linear(40, 40); self.l3 = nn.Linear(40, 1)
    def forward(self, x, params=None):
        if params is None: params = dict(self.named_parameters())
        x = F.relu(F.linear(x, params["l1.weight"], params["l1.bias"]))
        x = F.relu(F.linear(x, params["l2.weight"], params["l2.bias"]))
        return F.linear(x, params["l3.weight"], params["l3.bias"])
net = Net(); meta_opt = torch.optim.Adam(net.parameters(), lr=1e-3)
inner_lr, K = 0.01, 10
for it in range(60):
    meta_opt.zero_grad(); meta_loss = 0.
    for _ in range(4):
        draw = sample_task(); xs, ys = draw(K); xq, yq = draw(K)
        params = dict(net.named_parameters())
        for step in range(2):
            loss = F.mse_loss(net(xs, params), ys)
            grads = torch.autograd.grad(loss, params.values(), create_graph=True)
            params = {n: p - inner_lr * g for (n, p), g in zip(params.items(), grads)}
        meta_loss = meta_loss + F.mse_loss(net(xq, params), yq)
    (meta_loss / 4).backward(); meta_opt.step()
    if it % 15 == 0: print("meta", it, f"{(meta_loss / 4).item():.5f}")
print("grad norm", sum(p.grad.norm() ** 2 for p in net.parameters()).sqrt().item())
# first-order MAML variant and Reptile step
draw = sample_task(); xs, ys = draw(K)
fast = {n: p.clone() for n, p in net.named_parameters()}
for step in range(5):
    loss = F.mse_loss(net(xs, fast), ys)
    g = torch.autograd.grad(loss, list(fast.values()))
    fast = {n: (p - inner_lr * gi).detach().requires_grad_() if False else p - inner_lr * gi.detach() for (n, p), gi in zip(fast.items(), g)}
    print("adapt", step, f"{loss.item():.5f}")
with torch.no_grad():
    for n, p in net.named_parameters():
        p.add_(0.1 * (fast[n] - p))
print("after reptile", sum(p.sum() for p in net.parameters()).item())
# allow_unused, grad of non-scalar with grad_outputs, is_grads_batched
a = torch.randn(3, requires_grad=True); b = torch.randn(3, requires_grad=True)
ga, gb = torch.autograd.grad((a * 2).sum(), [a, b], allow_unused=True)
print("allow_unused", ga.tolist(), gb)
ga, gb = torch.autograd.grad((a * 2).sum(), [a, b], allow_unused=True, materialize_grads=True)
print("materialize", gb.tolist())
y = a ** 2
jac_rows = torch.autograd.grad(y, a, torch.eye(3), is_grads_batched=True)[0]; print("batched jac", jac_rows)
