# SWA and EMA of weights: torch.optim.swa_utils (AveragedModel, SWALR, update_bn) and a hand-written EMA
import copy
from sklearn.datasets import load_digits
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from torch.optim.swa_utils import AveragedModel, SWALR, update_bn, get_ema_multi_avg_fn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.; y = torch.tensor(y)
loader = DataLoader(TensorDataset(X[:1400], y[:1400]), batch_size=64, shuffle=True)
model = nn.Sequential(nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Linear(64, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
swa_model = AveragedModel(model)
ema_model = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.99))
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=6)
swa_sched = SWALR(opt, swa_lr=0.05, anneal_epochs=2, anneal_strategy="cos")
swa_start = 3
class EMA:
    def __init__(self, m, decay=0.99):
        self.shadow = copy.deepcopy(m).eval(); self.decay = decay
        for p in self.shadow.parameters(): p.requires_grad_(False)
    @torch.no_grad()
    def update(self, m):
        for s, p in zip(self.shadow.state_dict().values(), m.state_dict().values()):
            if s.dtype.is_floating_point: s.mul_(self.decay).add_(p.detach(), alpha=1 - self.decay)
            else: s.copy_(p)
ema = EMA(model)
def acc(m):
    m.eval()
    with torch.no_grad(): return (m(X[1400:]).argmax(1) == y[1400:]).float().mean().item()
for epoch in range(6):
    model.train()
    for xb, yb in loader:
        opt.zero_grad(); F.cross_entropy(model(xb), yb).backward(); opt.step()
        ema.update(model); ema_model.update_parameters(model)
    if epoch >= swa_start:
        swa_model.update_parameters(model); swa_sched.step()
    else:
        sched.step()
    print(f"epoch {epoch} acc {acc(model):.4f} lr {opt.param_groups[0]['lr']:.5f}")
update_bn(loader, swa_model)
print("swa acc", acc(swa_model), "n_averaged", swa_model.n_averaged.item())
print("ema acc", acc(ema.shadow), "ema_model acc", acc(ema_model))
print("bn mean", swa_model.module[1].running_mean[:3])
print("ema close", all(torch.allclose(a, b, atol=1e-5) for a, b in zip(ema.shadow.parameters(), ema_model.module.parameters())))
