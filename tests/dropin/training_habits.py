# Habits of hand-written training scripts: logging with f-strings,
# gradient norms through p.grad.data, in-place activations and updates,
# checkpoints kept in memory, and the math constants.
import io

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 16)
        self.act = nn.ReLU(inplace=True)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        h = self.act(self.fc1(x))
        h = F.leaky_relu(h * 1.0, 0.1, inplace=True)
        return self.fc2(h)


net = Net()
opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
x = torch.randn(32, 4)
target = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
for step in range(5):
    opt.zero_grad()
    loss = F.cross_entropy(net(x), target)
    loss.backward()
    grad_norm = sum(p.grad.data.norm(2) ** 2 for p in net.parameters()) ** 0.5
    print(f"step {step} loss {loss:.5f} grad {grad_norm:.5f}")
    opt.step()
print(f"final loss {loss}")

# A checkpoint in memory, and back into a fresh model.
buffer = io.BytesIO()
torch.save(net.state_dict(), buffer)
buffer.seek(0)
copy = Net()
copy.load_state_dict(torch.load(buffer))
print(torch.equal(copy(x), net(x)))

# In-place ops on plain tensors.
t = torch.linspace(-2, 2, 9)
t.clamp_(min=-1.5).mul_(torch.pi / 4).sin_()
print(t)
t.masked_fill_(t < 0, 0.0).sqrt_().exp_()
print(t)
m = torch.arange(6.0).reshape(2, 3)
print(m.flip(0), m.amax(1), m.square().sum())
print(torch.inf > 1e308, torch.e, isinstance(m.dtype, torch.dtype))
frozen = torch.ones(3).requires_grad_(False)
print(frozen.requires_grad, frozen.grad, frozen.is_leaf)
