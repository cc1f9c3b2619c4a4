# DDPM on 2-D swiss roll-ish data: linear beta schedule, cumprod, gather, sinusoidal time embedding, sampling loop
import math
import numpy as np
from sklearn.datasets import make_moons
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
data = torch.tensor(make_moons(1000, noise=0.05, random_state=0)[0], dtype=torch.float32)
T = 50
betas = torch.linspace(1e-4, 0.05, T)
alphas = 1. - betas
alphas_cumprod = torch.cumprod(alphas, dim=0)
alphas_cumprod_prev = F.pad(alphas_cumprod[:-1], (1, 0), value=1.0)
sqrt_ac, sqrt_1m_ac = alphas_cumprod.sqrt(), torch.sqrt(1. - alphas_cumprod)
posterior_var = betas * (1. - alphas_cumprod_prev) / (1. - alphas_cumprod)
print("schedule", alphas_cumprod[-1].item(), posterior_var[1:4].tolist())
def extract(a, t, shape):
    out = a.gather(-1, t)
    return out.reshape(t.shape[0], *((1,) * (len(shape) - 1)))
class SinusoidalPosEmb(nn.Module):
    def __init__(self, dim):
        super().__init__(); self.dim = dim
    def forward(self, t):
        half = self.dim // 2
        emb = math.log(10000) / (half - 1)
        emb = torch.exp(torch.arange(half, device=t.device) * -emb)
        emb = t[:, None].float() * emb[None, :]
        return torch.cat((emb.sin(), emb.cos()), dim=-1)
class Denoiser(nn.Module):
    def __init__(self):
        super().__init__()
        self.temb = nn.Sequential(SinusoidalPosEmb(16), nn.Linear(16, 64), nn.SiLU())
        self.inp = nn.Linear(2, 64)
        self.net = nn.Sequential(nn.SiLU(), nn.Linear(64, 64), nn.Mish(), nn.Linear(64, 2))
    def forward(self, x, t):
        return self.net(self.inp(x) + self.temb(t))
model = Denoiser(); opt = torch.optim.Adam(model.parameters(), lr=2e-3)
for it in range(300):
    x0 = data[torch.randint(0, 1000, (128,))]
    t = torch.randint(0, T, (128,)).long()
    noise = torch.randn_like(x0)
    xt = extract(sqrt_ac, t, x0.shape) * x0 + extract(sqrt_1m_ac, t, x0.shape) * noise
    loss = F.smooth_l1_loss(model(xt, t), noise) if it % 2 else F.mse_loss(model(xt, t), noise)
    opt.zero_grad(); loss.backward(); opt.step()
    if it % 60 == 0: print(it, f"{loss.item():.5f}")
@torch.no_grad()
def p_sample_loop(n):
    x = torch.randn(n, 2)
    for i in reversed(range(T)):
        t = torch.full((n,), i, dtype=torch.long)
        eps = model(x, t)
        mean = (1 / extract(alphas, t, x.shape).sqrt()) * (x - extract(betas, t, x.shape) / extract(sqrt_1m_ac, t, x.shape) * eps)
        if i > 0:
            x = mean + extract(posterior_var, t, x.shape).sqrt() * torch.randn_like(x)
        else:
            x = mean
    return x
s = p_sample_loop(500)
print("samples", s.mean(0), s.std(0), s.shape)
print("pe", SinusoidalPosEmb(8)(torch.tensor([0, 5, 49]))[1])
print("ddim-like clip", s.clamp(-2, 2).abs().max().item(), torch.quantile(s[:, 0], torch.tensor([0.1, 0.5, 0.9])))
