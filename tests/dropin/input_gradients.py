# Gradients with respect to the input, as the FGSM, neural style transfer
# and energy-based-model tutorials take them: a tensor made a leaf in place
# with `requires_grad = True` / `requires_grad_()`, attacked, optimized by
# L-BFGS, and sampled by Langevin dynamics.
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.manual_seed(0)
digits = load_digits()
images = torch.tensor(digits.data[:256], dtype=torch.float32) / 16.0
labels = torch.tensor(digits.target[:256])
model = nn.Sequential(nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for _ in range(60):
    optimizer.zero_grad()
    F.cross_entropy(model(images), labels).backward()
    optimizer.step()
model.eval()


def fgsm_attack(image, epsilon, data_grad):
    perturbed = image + epsilon * data_grad.sign()
    return torch.clamp(perturbed, 0, 1)


data, target = images[:64].clone(), labels[:64]
data.requires_grad = True
output = model(data)
loss = F.nll_loss(F.log_softmax(output, dim=1), target)
model.zero_grad()
loss.backward()
print("input is a leaf:", data.is_leaf, data.requires_grad, data.grad_fn)
for epsilon in [0.0, 0.05, 0.1, 0.2]:
    perturbed = fgsm_attack(data, epsilon, data.grad.data)
    accuracy = (model(perturbed).argmax(1) == target).float().mean()
    print(f"epsilon {epsilon:.2f}: accuracy {accuracy.item():.4f}")

# Style transfer's loop: the image is the parameter.
target_logits = model(images[:1]).detach()
input_img = images[1:2].clone().requires_grad_(True)
lbfgs = torch.optim.LBFGS([input_img])
for step in range(3):

    def closure():
        with torch.no_grad():
            input_img.clamp_(0, 1)
        lbfgs.zero_grad()
        distance = F.mse_loss(model(input_img), target_logits)
        distance.backward()
        return distance

    print(f"step {step}: distance {lbfgs.step(closure).item():.6f}")
with torch.no_grad():
    input_img.clamp_(0, 1)
print(input_img.view(8, 8)[:2])

# Langevin dynamics on the model's energy.
x = torch.rand(8, 64)
for _ in range(20):
    x.requires_grad_(True)
    energy = -torch.logsumexp(model(x), dim=1).sum()
    (grad_x,) = torch.autograd.grad(energy, x)
    x = (x - 0.05 * grad_x + 0.01 * torch.randn_like(x)).clamp(0, 1).detach()
print(f"energy {-torch.logsumexp(model(x), dim=1).mean().item():.4f}", x.requires_grad)
