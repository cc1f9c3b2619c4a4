# Knowledge distillation: teacher MLP -> small student with KLDivLoss at temperature T.
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification

torch.manual_seed(0)
Xn, yn = make_classification(n_samples=600, n_features=20, n_informative=10, n_classes=4, random_state=0)
X = torch.from_numpy(Xn).float()
y = torch.from_numpy(yn).long()
Xtr, ytr, Xte, yte = X[:500], y[:500], X[500:], y[500:]

teacher = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 4))
student = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 4))


def acc(m, X, y):
    m.eval()
    with torch.no_grad():
        return (m(X).argmax(1) == y).float().mean().item()


opt = torch.optim.Adam(teacher.parameters(), lr=1e-3)
for ep in range(30):
    teacher.train()
    loss = F.cross_entropy(teacher(Xtr), ytr, label_smoothing=0.1)
    opt.zero_grad(); loss.backward(); opt.step()
print("teacher loss", round(loss.item(), 5), "acc", acc(teacher, Xte, yte))

T, alpha = 4.0, 0.7
kl = nn.KLDivLoss(reduction="batchmean")
opt = torch.optim.Adam(student.parameters(), lr=5e-3)
teacher.eval()
for ep in range(40):
    student.train()
    with torch.no_grad():
        t_logits = teacher(Xtr)
    s_logits = student(Xtr)
    soft = kl(F.log_softmax(s_logits / T, dim=1), F.softmax(t_logits / T, dim=1)) * T * T
    hard = F.cross_entropy(s_logits, ytr)
    loss = alpha * soft + (1 - alpha) * hard
    opt.zero_grad(); loss.backward(); opt.step()
    if ep % 10 == 0:
        print(f"ep {ep} soft {soft.item():.5f} hard {hard.item():.5f}")
print("student acc", acc(student, Xte, yte))

# log_target variant and element-wise reduction
lp = F.log_softmax(student(Xte[:3]), 1)
lq = F.log_softmax(teacher(Xte[:3]), 1)
print("kl none", F.kl_div(lp, lq, reduction="none", log_target=True))
print("kl sum", F.kl_div(lp, lq, reduction="sum", log_target=True))
print("kl mean", F.kl_div(lp, lq.exp(), reduction="mean"))
print("nll", F.nll_loss(lp, yte[:3], reduction="none"))
print("soft-target CE", F.cross_entropy(student(Xte[:3]), F.softmax(teacher(Xte[:3]), 1)))
