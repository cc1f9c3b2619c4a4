# Hand-written RNN and per-sample losses written into preallocated buffers (torch.zeros then
# out[:, t] = h), a common pattern in from-scratch sequence code.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
B, T, I, H = 4, 6, 3, 5
Wx = nn.Linear(I, H)
Wh = nn.Linear(H, H, bias=False)
head = nn.Linear(H, 1)
params = list(Wx.parameters()) + list(Wh.parameters()) + list(head.parameters())
opt = torch.optim.Adam(params, lr=0.01)
x = torch.randn(B, T, I)
y = x.cumsum(1)[:, :, :1]
for epoch in range(20):
    h = torch.zeros(B, H)
    outputs = torch.zeros(B, T, H)
    for t in range(T):
        h = torch.tanh(Wx(x[:, t]) + Wh(h))
        outputs[:, t] = h
    pred = head(outputs)
    per_step = torch.zeros(T)
    for t in range(T):
        per_step[t] = F.mse_loss(pred[:, t], y[:, t])
    loss = per_step.mean()
    opt.zero_grad(); loss.backward(); opt.step()
    if epoch % 5 == 0:
        print(f"epoch {epoch} loss {loss.item():.5f} last-step {per_step[-1].item():.5f}")
print("per-step losses", per_step.detach())
