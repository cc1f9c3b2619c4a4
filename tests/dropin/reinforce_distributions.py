# REINFORCE on a toy contextual bandit with torch.distributions (Categorical, Normal)
import torch
import torch.nn as nn
from torch.distributions import Categorical, Normal, kl_divergence

torch.manual_seed(0)
policy = nn.Sequential(nn.Linear(4, 32), nn.Tanh(), nn.Linear(32, 3))
opt = torch.optim.Adam(policy.parameters(), lr=0.02)
best_arm = lambda s: (s[:, 0] > 0).long() + (s[:, 1] > 0).long()

for it in range(40):
    states = torch.randn(64, 4)
    dist = Categorical(logits=policy(states))
    actions = dist.sample()
    rewards = (actions == best_arm(states)).float()
    baseline = rewards.mean()
    loss = -(dist.log_prob(actions) * (rewards - baseline)).mean() - 0.01 * dist.entropy().mean()
    opt.zero_grad(); loss.backward(); opt.step()
    if it % 10 == 9:
        print(f"iter {it+1} avg reward {rewards.mean().item():.3f} entropy {dist.entropy().mean().item():.4f}")

# Gaussian policy with rsample
mu_net = nn.Linear(2, 1)
log_std = nn.Parameter(torch.zeros(1))
s = torch.randn(16, 2)
d = Normal(mu_net(s), log_std.exp())
a = d.rsample()
lp = d.log_prob(a).sum(-1)
(-lp.mean() + (a ** 2).mean()).backward()
print("normal", tuple(a.shape), round(lp.mean().item(), 4), round(log_std.grad.item(), 4))
p, q = Normal(torch.tensor(0.0), torch.tensor(1.0)), Normal(torch.tensor(1.0), torch.tensor(2.0))
print("kl", round(kl_divergence(p, q).item(), 6), "cdf", round(p.cdf(torch.tensor(1.0)).item(), 6))
c = Categorical(probs=torch.tensor([0.2, 0.3, 0.5]))
print("cat sample", c.sample((6,)).tolist(), round(c.entropy().item(), 6))
