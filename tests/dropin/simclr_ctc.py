# SimCLR NT-Xent contrastive loss + CTC loss toy recognizer
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
def nt_xent(z1, z2, tau=0.5):
    z = F.normalize(torch.cat([z1, z2], 0), dim=1)
    sim = z @ z.t() / tau
    n = z1.size(0)
    sim.masked_fill_(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)
enc = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 8))
opt = torch.optim.SGD(enc.parameters(), lr=0.1, momentum=0.9)
base = torch.randn(256, 10)
for it in range(40):
    xb = base[torch.randint(0, 256, (64,))]
    v1 = xb + 0.1 * torch.randn_like(xb); v2 = xb * (torch.rand_like(xb) > 0.1).float()
    loss = nt_xent(enc(v1), enc(v2)); opt.zero_grad(); loss.backward(); opt.step()
    if it % 10 == 0: print("ntxent", it, f"{loss.item():.5f}")
# InfoNCE with logsumexp manual formulation
q = F.normalize(torch.randn(8, 16), dim=-1); k = F.normalize(torch.randn(8, 16), dim=-1)
logits = q @ k.T / 0.07
print("infonce", F.cross_entropy(logits, torch.arange(8)).item(), (torch.logsumexp(logits, 1) - logits.diagonal()).mean().item())
# CTC: predict a label sequence from a longer input sequence
C, Tlen, B = 6, 20, 16  # blank=0
rnn = nn.GRU(C, 32, batch_first=False, bidirectional=True); head = nn.Linear(64, C)
ctc = nn.CTCLoss(blank=0, zero_infinity=True)
params = list(rnn.parameters()) + list(head.parameters())
opt = torch.optim.Adam(params, lr=5e-3)
targets = torch.randint(1, C, (B, 5)); tgt_len = torch.randint(3, 6, (B,))
inp = torch.zeros(Tlen, B, C)
for b in range(B):
    for j in range(tgt_len[b]):
        inp[3 * j + 1, b, targets[b, j]] = 1.0
inp = inp + 0.1 * torch.randn_like(inp)
in_len = torch.full((B,), Tlen, dtype=torch.long)
for it in range(60):
    out, _ = rnn(inp); logp = head(out).log_softmax(2)
    loss = ctc(logp, targets, in_len, tgt_len); opt.zero_grad(); loss.backward(); opt.step()
    if it % 15 == 0: print("ctc", it, f"{loss.item():.5f}")
flat_t = torch.cat([targets[b, :tgt_len[b]] for b in range(B)])
print("ctc concat targets", F.ctc_loss(logp, flat_t, in_len, tgt_len, reduction="sum").item(), F.ctc_loss(logp, targets, in_len, tgt_len, reduction="none")[:4])
best = logp.argmax(2).t()
def greedy(seq):
    out, prev = [], 0
    for s in seq.tolist():
        if s != prev and s != 0: out.append(s)
        prev = s
    return out
print("decode", greedy(best[0]), targets[0, :tgt_len[0]].tolist(), torch.unique_consecutive(best[0]).tolist())
