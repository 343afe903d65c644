#!/usr/bin/python3
# ops.py — PyTorch's forward values and gradients for the op cases in ../test_ops.c,
# including edge cases (ties, boundaries, zeros, infinities, empty tensors).
# Run by hand:  /usr/bin/python3 ops.py > ops.txt
import torch
import torch.nn.functional as F


def section(name):
    print(f"=== {name}")


def run(name, f, *inputs, grad=None):
    """Print f(inputs), then the gradient of sum(f * grad or 1) w.r.t. each input."""
    section(name)
    xs = [x.clone().requires_grad_(x.is_floating_point()) for x in inputs]
    y = f(*xs)
    print(y)
    g = torch.ones_like(y) if grad is None else grad
    y.backward(g)
    for x in xs:
        if x.requires_grad:
            print(x.grad)


torch.manual_seed(2)
a = torch.rand(2, 3) * 4 - 2
b = torch.rand(2, 3) * 4 - 2
pos = torch.rand(2, 3) + 0.5
edge = torch.tensor([-1.0, -0.5, 0.0, 0.5, 1.0])

run("add", lambda x, y: x + y, a, b)
run("sub_bcast", lambda x, y: x - y, a, b[0])
run("mul_bcast", lambda x, y: x * y, a, b[:, :1])
run("div", lambda x, y: x / y, a, pos)
run("div_zero", lambda x, y: x / y, torch.tensor([1., -1., 0.]), torch.zeros(3))
run("pow", lambda x, y: torch.pow(x, y), pos, b)
run("pow_zero_base", lambda x, y: torch.pow(x, y), torch.tensor([0., 0., 2.]), torch.tensor([0., 2., 0.]))
run("pow_scalar", lambda x: x ** 3, a)
run("pow_scalar_zero", lambda x: x ** 0, a)
run("pow_scalar_half", lambda x: x ** 0.5, pos)
run("neg", lambda x: -x, a)
run("exp", torch.exp, a)
run("log", torch.log, pos)
run("sqrt", torch.sqrt, pos)
run("abs_edge", torch.abs, edge)
run("sign_edge", torch.sign, edge)
run("sin", torch.sin, a)
run("cos", torch.cos, a)
run("tanh", torch.tanh, a)
run("sigmoid", torch.sigmoid, a)
run("relu_edge", torch.relu, edge)
run("clamp_edge", lambda x: torch.clamp(x, -0.5, 0.5), edge)
run("clamp_min", lambda x: torch.clamp(x, min=0.0), edge)
run("minimum_ties", torch.minimum, edge, torch.zeros(5))
run("maximum_ties", torch.maximum, edge, torch.zeros(5))
run("add_scalar", lambda x: x + 2.5, a)
run("rsub_scalar", lambda x: 2.5 - x, a)
run("mul_scalar", lambda x: x * -3, a)
run("div_scalar", lambda x: x / 4, a)
run("sum", torch.sum, a)
run("sum_dim", lambda x: x.sum(1), a)
run("sum_keepdim", lambda x: x.sum(0, keepdim=True), a)
run("sum_empty", lambda x: x.sum(0), torch.zeros(0, 3))
run("mean", torch.mean, a)
run("mean_dims", lambda x: x.mean((0, 1), keepdim=True), a)
run("max_ties", torch.max, torch.tensor([[1., 5.], [5., 2.]]))
run("min", torch.min, a)
run("max_dim", lambda x: torch.max(x, 1).values, torch.tensor([[1., 5., 5.], [7., 2., 7.]]))
run("max_dim_keepdim", lambda x: torch.max(x, 0, keepdim=True).values, a)
run("min_dim", lambda x: torch.min(x, 1).values, a)
run("softmax", lambda x: torch.softmax(x, 1), a, grad=b)
run("softmax_inf", lambda x: torch.softmax(x, 0), torch.tensor([0., float('-inf'), 1.]), grad=torch.tensor([1., 2., 3.]))
run("log_softmax", lambda x: torch.log_softmax(x, 0), a, grad=b)
run("log_softmax_large", lambda x: torch.log_softmax(x, 0), torch.tensor([1000., 0., -1000.]))
t = torch.tensor([2, 0])
run("nll_mean", lambda x: F.nll_loss(x, t), a)
run("nll_sum", lambda x: F.nll_loss(x, t, reduction='sum'), a)
run("nll_none", lambda x: F.nll_loss(x, t, reduction='none'), a)
run("nll_ignore", lambda x: F.nll_loss(x, torch.tensor([2, -100])), a)
run("cross_entropy", lambda x: F.cross_entropy(x, t), a)
run("cross_entropy_1d", lambda x: F.cross_entropy(x, torch.tensor(1)), a[0])
run("dot", torch.matmul, a[0], b[1])
run("mv", torch.matmul, a, b[0])
run("vm", torch.matmul, a[:, 0], b)
run("mm", torch.matmul, a, b.t())
run("bmm", torch.matmul, torch.stack([a, b]), torch.stack([b.t(), a.t()]))
run("matmul_bcast", torch.matmul, torch.stack([a, b]), pos.t())
run("cat", lambda x, y: torch.cat([x, y], 0), a, b[:1])
run("cat_empty", lambda x, y: torch.cat([x, y], 0), a, torch.zeros(0))
run("stack", lambda x, y: torch.stack([x, y], 2), a, b)
run("view_t", lambda x: x.t().reshape(6) * torch.arange(6.), a)
run("slice_step", lambda x: x[:, ::2] * 3, a)
run("select_neg", lambda x: x.select(1, -1) ** 2, a)
run("expand", lambda x: x.expand(3, 2, 3) * torch.arange(18.).reshape(3, 2, 3), a[:1])
run("index_select_dup", lambda x: torch.index_select(x, 1, torch.tensor([2, 2, 0])), a)
run("gather", lambda x: torch.gather(x, 1, torch.tensor([[0, 0], [2, 1]])), a)
run("where", lambda x, y: torch.where(x > y, x, y), a, b)
run("argmax_ties", lambda x: torch.argmax(x, 1).float() * x.sum(), torch.tensor([[1., 3., 3.], [2., 2., 0.]]))
section("comparisons")
print(a > b, a == a, torch.ones(2, dtype=torch.int64) == torch.tensor([1, 2]))
section("int_ops")
print(torch.tensor([7, -7]) + torch.tensor([2, 2]), torch.tensor([7, -7]) / 2, torch.tensor([3]) * 1.5)
section("mixed_dtype")
print(torch.ones(2) + torch.ones(2, dtype=torch.float64), torch.ones(2) * torch.tensor(2., dtype=torch.float64))
section("mean_empty")
print(torch.zeros(0).mean(), torch.zeros(0).sum())


def fn_name(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


section("inplace_view_mul")
x = torch.ones(2, 3, requires_grad=True)
y = x * 2
v = y[0]
v.mul_(3)
print(y, fn_name(y), fn_name(v))
y.sum().backward()
print(x.grad)
section("inplace_view_other")
z = torch.zeros(4)
w = torch.ones(2, requires_grad=True)
z[1:3].add_(w * 2)
print(z)
z.sum().backward()
print(w.grad)
section("setitem")
x.grad = None
a = x * 1
a[1, 2] = 10
print(a)
a.sum().backward()
print(x.grad)
section("inplace_view_exp")
x.grad = None
b = x * 1
c = b[:, 1]
c.exp_()
print(fn_name(c), fn_name(b))
(b * b).sum().backward()
print(x.grad)
section("inplace_view_chain")
x.grad = None
b = x * 1
c = b.t()[1:]
c.clamp_(0, 1.5)
c.mul_(torch.tensor([1., 2.]).view(2, 1))
print(b)
b.pow(2).sum().backward()
print(x.grad)
