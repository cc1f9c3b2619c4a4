# scientific-computing style: k-means, PCA via SVD, least squares, GP regression with Cholesky
import torch

torch.manual_seed(0)
# k-means
centers_true = torch.tensor([[0.0, 0.0], [3.0, 3.0], [0.0, 4.0]])
X = torch.cat([c + 0.4 * torch.randn(50, 2) for c in centers_true])
C = X[torch.randperm(len(X))[:3]].clone()
for it in range(10):
    d = torch.cdist(X, C)
    assign = d.argmin(dim=1)
    counts = torch.bincount(assign, minlength=3).clamp(min=1).unsqueeze(1).float()
    C = torch.zeros_like(C).index_add_(0, assign, X) / counts
inertia = (X - C[assign]).pow(2).sum()
print("kmeans inertia", round(inertia.item(), 3), "sizes", sorted(torch.bincount(assign).tolist()))

# PCA
Xc = X - X.mean(dim=0, keepdim=True)
U, S, Vh = torch.linalg.svd(Xc, full_matrices=False)
explained = S ** 2 / (S ** 2).sum()
print("pca explained", [round(v, 4) for v in explained.tolist()], "proj shape", tuple((Xc @ Vh.T[:, :1]).shape))
cov = Xc.T @ Xc / (len(X) - 1)
evals, evecs = torch.linalg.eigh(cov)
print("eigh", [round(v, 4) for v in evals.tolist()], torch.allclose(evals.flip(0), S ** 2 / (len(X) - 1), atol=1e-3))

# least squares / ridge
A = torch.randn(100, 3, dtype=torch.float64)
w_true = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
b = A @ w_true + 0.01 * torch.randn(100, dtype=torch.float64)
w_ridge = torch.linalg.solve(A.T @ A + 1e-3 * torch.eye(3, dtype=torch.float64), A.T @ b)
print("ridge", [round(v, 4) for v in w_ridge.tolist()])
w_pinv = torch.linalg.pinv(A) @ b
print("pinv", [round(v, 4) for v in w_pinv.tolist()])
w_lstsq = torch.linalg.lstsq(A, b.unsqueeze(1)).solution.squeeze(1)
print("lstsq", [round(v, 4) for v in w_lstsq.tolist()])

# GP regression with an RBF kernel
def rbf(a, b, ls=0.5):
    return torch.exp(-0.5 * torch.cdist(a, b).pow(2) / ls ** 2)
xs = torch.linspace(-2, 2, 15, dtype=torch.float64).unsqueeze(1)
ys = torch.sin(3 * xs).squeeze(1)
K = rbf(xs, xs) + 1e-4 * torch.eye(15, dtype=torch.float64)
L = torch.linalg.cholesky(K)
alpha = torch.cholesky_solve(ys.unsqueeze(1), L)
xq = torch.tensor([[0.3], [1.1]], dtype=torch.float64)
mean = rbf(xq, xs) @ alpha
v = torch.linalg.solve_triangular(L, rbf(xs, xq), upper=False)
var = 1.0 - (v ** 2).sum(0)
print("gp mean", [round(m, 4) for m in mean.squeeze(1).tolist()], "var", [f"{s:.2e}" for s in var.tolist()])
print("logdet", round(torch.logdet(K).item(), 4), round(2 * torch.log(torch.diagonal(L)).sum().item(), 4))
print("det/inv", round(torch.det(cov).item(), 5), torch.allclose(torch.inverse(cov) @ cov, torch.eye(2), atol=1e-5))
print("norms", round(torch.linalg.norm(A).item(), 4), round(torch.linalg.matrix_norm(A, ord=2).item(), 4), round(A.norm(dim=0).max().item(), 4))
q, r = torch.linalg.qr(A)
print("qr", tuple(q.shape), torch.allclose(q @ r, A))
