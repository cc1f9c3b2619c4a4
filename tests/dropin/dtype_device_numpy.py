# dtype / device / numpy interop / RNG idioms
import random
import numpy as np
import torch

def set_seed(seed):
    random.seed(seed); np.random.seed(seed); torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False

set_seed(123)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print("device", device, device.type)
x = torch.randn(3, 4, device=device)
if torch.cuda.is_available():
    x = x.cuda()
x = x.to(device)
print(x.dtype, x.to(torch.float64).dtype, x.double().dtype, x.half().dtype, x.int().dtype, x.to(dtype=torch.bfloat16).dtype)
print(x.dtype == torch.float32, x.is_floating_point(), torch.is_tensor(x), isinstance(x, torch.Tensor), x.device)
arr = x.cpu().detach().numpy()
print(type(arr).__name__, arr.dtype, arr.shape, np.round(arr[0], 4))
n = np.arange(6, dtype=np.float64).reshape(2, 3)
t = torch.from_numpy(n)
n[0, 0] = 100.0
print("shares memory", t[0, 0].item(), t.dtype)
t2 = torch.tensor(n, dtype=torch.float32)
n[0, 0] = -1
print("copied", t2[0, 0].item(), torch.as_tensor([1, 2, 3]).dtype, torch.tensor([1.0, 2]).dtype, torch.tensor(3).dtype, torch.tensor(True).dtype)
print("item/tolist", torch.tensor([2.5]).item(), torch.tensor([[1, 2], [3, 4]]).tolist(), float(torch.tensor(1.5)), int(torch.tensor(7)))
print("np ops", np.asarray(torch.arange(3)).sum(), np.array(torch.ones(2, 2)).shape, torch.tensor(np.float32(2.0)).dtype)
print("numpy scalar", torch.ones(3) * np.float64(2.0), torch.tensor([1, 2]) + np.int64(1))
g = torch.Generator().manual_seed(7)
a = torch.randn(3, generator=g)
g.manual_seed(7)
b = torch.randn(3, generator=g)
print("generator repeat", torch.equal(a, b), a.tolist())
print("randint gen", torch.randint(0, 10, (5,), generator=g).tolist(), torch.randperm(5, generator=g).tolist())
state = torch.get_rng_state()
r1 = torch.rand(2)
torch.set_rng_state(state)
r2 = torch.rand(2)
print("rng state", torch.equal(r1, r2), torch.initial_seed())
torch.manual_seed(0)
print("draws", torch.rand(2).tolist(), torch.randn(2).tolist(), torch.randint(5, (3,)).tolist(), torch.multinomial(torch.tensor([0.1, 0.6, 0.3]), 4, replacement=True).tolist())
print("bernoulli", torch.bernoulli(torch.full((5,), 0.5)).tolist(), torch.empty(3).uniform_(-1, 1).tolist(), torch.normal(0.0, 1.0, size=(2,)).tolist())
print("finfo", torch.finfo(torch.float32).eps, torch.iinfo(torch.int64).max, torch.finfo(x.dtype).min)
print("type casts", torch.tensor([1.7, -1.7]).long().tolist(), torch.tensor([0, 3]).bool().tolist(), (torch.tensor([1, 2]) / 2).dtype, (torch.tensor([1, 2]) // 2).tolist())
print("promotion", (torch.ones(2, dtype=torch.int32) + 1.5).dtype, (torch.ones(2, dtype=torch.float16) + torch.ones(2)).dtype, (torch.ones(2) * torch.tensor(2, dtype=torch.float64)).dtype)
print("x.new", x.new_zeros(2).dtype, x.new_ones((1, 2)).shape, x.new_full((2,), 3.0).tolist(), x.new_empty(3).shape)
print("size", x.size(), x.shape[0], list(x.shape), torch.Size([2, 3]) == (2, 3), x.element_size(), x.nbytes)
print("pin?", x.is_cuda, x.requires_grad, x.grad_fn is None)
with torch.no_grad():
    y = torch.ones(2, requires_grad=True) * 2
print("no_grad result requires_grad", y.requires_grad, torch.is_grad_enabled())
torch.set_grad_enabled(False); print("disabled", torch.is_grad_enabled()); torch.set_grad_enabled(True)
print("num threads positive", torch.get_num_threads() > 0)
