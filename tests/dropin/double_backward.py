# Double backward through custom Functions (the style of the "Double
# Backward with Custom Functions" tutorial): a Function that saves its
# input, one that saves its output, and gradients of gradients.
import torch


class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**2

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return grad_out * 2 * x


class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        result = torch.exp(x)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_out):
        (result,) = ctx.saved_tensors
        return result * grad_out


torch.manual_seed(0)
x = torch.rand(3, 3, requires_grad=True, dtype=torch.double)
print(torch.autograd.gradcheck(Square.apply, x))
print(torch.autograd.gradgradcheck(Square.apply, x))

out = Square.apply(x)
(grad_x,) = torch.autograd.grad(out.sum(), x, create_graph=True)
print(grad_x)
(grad_grad_x,) = torch.autograd.grad(grad_x.sum(), x)
print(grad_grad_x)

y = torch.rand(2, 2, requires_grad=True, dtype=torch.double)
print(torch.autograd.gradcheck(Exp.apply, y))
print(torch.autograd.gradgradcheck(Exp.apply, y))
out = Exp.apply(y)
(grad_y,) = torch.autograd.grad(out.sum(), y, create_graph=True)
(grad_grad_y,) = torch.autograd.grad(grad_y.sum(), y)
print(grad_grad_y)
print(torch.allclose(grad_grad_y, torch.exp(y)))
