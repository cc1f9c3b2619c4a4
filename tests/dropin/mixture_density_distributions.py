# Mixture density network with Normal/Categorical; GaussianNLLLoss; distributions used in practice
import math
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Normal, Categorical, Bernoulli, Independent, kl_divergence

torch.manual_seed(0)
N = 400
x = torch.rand(N, 1) * 2 - 1
y = torch.where(torch.rand(N, 1) < 0.5, torch.sin(3 * x), -torch.sin(3 * x)) + 0.05 * torch.randn(N, 1)
K = 3
class MDN(nn.Module):
    def __init__(self):
        super().__init__()
        self.h = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh())
        self.pi = nn.Linear(32, K); self.mu = nn.Linear(32, K); self.log_sigma = nn.Linear(32, K)
    def forward(self, x):
        h = self.h(x)
        return self.pi(h), self.mu(h), self.log_sigma(h).clamp(-7, 3)
def mdn_nll(logit_pi, mu, log_sigma, y):
    comp = Normal(mu, log_sigma.exp())
    lp = comp.log_prob(y.expand_as(mu)) + F.log_softmax(logit_pi, -1)
    return -torch.logsumexp(lp, dim=-1).mean()
m = MDN(); opt = torch.optim.Adam(m.parameters(), lr=5e-3)
for it in range(150):
    loss = mdn_nll(*m(x), y); opt.zero_grad(); loss.backward(); opt.step()
    if it % 30 == 0: print("mdn", it, f"{loss.item():.5f}")
with torch.no_grad():
    lp, mu, ls = m(torch.tensor([[0.5]]))
    k = Categorical(logits=lp).sample((5,))
    print("pi", F.softmax(lp, -1), "k", k.shape)
# Gaussian NLL heteroscedastic regression
net = nn.Sequential(nn.Linear(1, 32), nn.ReLU(), nn.Linear(32, 2))
gnll = nn.GaussianNLLLoss()
opt = torch.optim.Adam(net.parameters(), lr=1e-2)
yy = torch.sin(3 * x) + 0.1 * (x + 1) * torch.randn(N, 1)
for it in range(100):
    out = net(x); mean, var = out[:, :1], F.softplus(out[:, 1:]) + 1e-6
    loss = gnll(mean, yy, var); opt.zero_grad(); loss.backward(); opt.step()
    if it % 25 == 0: print("gnll", it, f"{loss.item():.5f}")
print("gnll full", F.gaussian_nll_loss(mean, yy, var, full=True, reduction="sum").item(), nn.GaussianNLLLoss(eps=1e-3)(mean, yy, var.squeeze(-1).unsqueeze(-1)).item())
print("poisson nll", F.poisson_nll_loss(torch.randn(5), torch.tensor([0., 1, 2, 3, 4])).item(), nn.PoissonNLLLoss(log_input=False, full=True)(torch.rand(5) + 0.5, torch.tensor([0., 1, 2, 3, 4])).item())
# distributions API
n = Normal(torch.tensor([0., 1.]), torch.tensor([1., 0.5]))
s = n.rsample((4,)); print("rsample", s.shape, n.log_prob(s).shape, n.entropy(), n.cdf(torch.tensor(0.)))
c = Categorical(probs=torch.tensor([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]))
print("cat", c.entropy(), c.log_prob(torch.tensor([2, 0])), c.probs.sum(-1), c.logits, c.sample().shape, c.param_shape if hasattr(c, "param_shape") else None)
print("cat kl", kl_divergence(c, Categorical(logits=torch.zeros(2, 3))))
b = Bernoulli(logits=torch.tensor([-1., 0., 2.]))
print("bern", b.probs, b.log_prob(torch.tensor([1., 0., 1.])), b.entropy(), b.mean, b.variance)
ind = Independent(Normal(torch.zeros(3, 2), torch.ones(3, 2)), 1)
print("ind", ind.batch_shape, ind.event_shape, ind.log_prob(torch.zeros(3, 2)), ind.sample((2,)).shape)
print("normal kl", kl_divergence(Normal(0., 1.), Normal(1., 2.)).item(), Normal(0., 1.).log_prob(torch.tensor(1.)).item())
print("expand", n.expand((3, 2)).batch_shape, Normal(torch.zeros(2), 1.).scale, n.mean, n.stddev, n.variance)
try:
    Normal(torch.tensor([0.]), torch.tensor([-1.]))
except ValueError as e:
    print("validation ValueError")
print(Categorical(logits=torch.tensor([1., 2., 3.])).enumerate_support(), Bernoulli(0.3).enumerate_support())
