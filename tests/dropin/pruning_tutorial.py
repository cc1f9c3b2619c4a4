# The pruning tutorial's steps: random, L1 and Ln-structured pruning of
# LeNet's layers, an iterative PruningContainer, remove, global pruning
# over several layers, then a training step through the masks.
import torch
import torch.nn as nn
import torch.nn.utils.prune as prune
torch.manual_seed(0)
class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.conv2 = nn.Conv2d(6, 16, 3)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)
    def forward(self, x):
        x = nn.functional.max_pool2d(nn.functional.relu(self.conv1(x)), (2, 2))
        x = nn.functional.max_pool2d(nn.functional.relu(self.conv2(x)), 2)
        x = x.view(-1, int(x.nelement() / x.shape[0]))
        x = nn.functional.relu(self.fc1(x))
        x = nn.functional.relu(self.fc2(x))
        return self.fc3(x)
model = LeNet()
module = model.conv1
print(list(module.named_parameters())[0][0], list(module.named_buffers()))
prune.random_unstructured(module, name="weight", amount=0.3)
print([n for n, _ in module.named_parameters()], [n for n, _ in module.named_buffers()])
print(module.weight_mask.sum(), module.weight.sum())
print(list(module._forward_pre_hooks))
prune.l1_unstructured(module, name="bias", amount=3)
print(module.bias, module.bias_mask)
prune.ln_structured(module, name="weight", amount=0.5, n=2, dim=0)
print(module.weight_mask.sum(dim=(1, 2, 3)))
for hook in module._forward_pre_hooks.values():
    if hook._tensor_name == "weight":
        break
print([type(m).__name__ for m in hook])
print(model.state_dict().keys())
prune.remove(module, "weight")
print([n for n, _ in module.named_parameters()], prune.is_pruned(model))
new_model = LeNet()
for name, m in new_model.named_modules():
    if isinstance(m, torch.nn.Conv2d):
        prune.l1_unstructured(m, name="weight", amount=0.2)
    elif isinstance(m, torch.nn.Linear):
        prune.l1_unstructured(m, name="weight", amount=0.4)
print(dict(new_model.named_buffers()).keys())
model = LeNet()
parameters_to_prune = ((model.conv1, "weight"), (model.conv2, "weight"), (model.fc1, "weight"), (model.fc2, "weight"), (model.fc3, "weight"))
prune.global_unstructured(parameters_to_prune, pruning_method=prune.L1Unstructured, amount=0.2)
for m, n in parameters_to_prune:
    print(f"{float(torch.sum(getattr(m, n) == 0)) / getattr(m, n).nelement():.4f}")
prune.random_structured(model.fc2, "weight", amount=0.25, dim=1)
print(model.fc2.weight_mask.sum(0)[:10])
x = torch.randn(2, 1, 28, 28)
out = model(x); out.sum().backward()
print(out, model.fc1.weight_orig.grad.abs().sum())
opt = torch.optim.SGD(model.parameters(), lr=0.1); opt.step()
print(model(x).sum(), (model.fc1.weight == 0).sum())
