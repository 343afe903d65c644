#!/usr/bin/python3
# errors.py — PyTorch's error messages for the situations test_autograd.c and
# test_tensor.c provoke, one "key: message" line each. Run by hand:
#
#     /usr/bin/python3 errors.py > errors.txt
import torch
import torch.nn.functional as F


def case(key, f):
    try:
        f()
        print(f"{key}: no error")
    except Exception as e:  # RuntimeError, IndexError, ValueError
        print(f"{key}: {type(e).__name__}: {e}")


def leaf():
    return torch.ones(2, 2, requires_grad=True)


def version_input():
    x = leaf()
    a = x * 2
    b = a * a
    a.add_(1)
    b.sum().backward()


def version_output():
    x = leaf()
    a = x.exp()
    a.add_(1)
    a.sum().backward()


def version_not_saved_operand():
    w = leaf()
    b = torch.ones(2, 2)
    y = (w * b).sum()
    b.add_(1)
    y.backward()


def version_other_operand_ok():
    w = leaf()
    b = torch.ones(2, 2)
    y = (w * b).sum()
    with torch.no_grad():
        w.add_(1)
    y.backward()


def backward_twice():
    x = leaf()
    y = (x * 2).sum()
    y.backward()
    y.backward()


def backward_twice_ok():
    x = leaf()
    y = (x + 1).sum()
    y.backward()
    y.backward()


def linear_no_graph():
    x = leaf()
    g, = torch.autograd.grad((x * 2).sum(), x, create_graph=True)
    torch.autograd.grad(g.sum(), x)


case("leaf_inplace", lambda: leaf().add_(1))
case("view_leaf_inplace", lambda: leaf()[0].mul_(2))
case("non_scalar", lambda: (leaf() * 2).backward())
case("one_element_ok", lambda: (torch.ones(1, requires_grad=True) * 2).backward())
case("no_grad_fn", lambda: torch.ones(2).sum().backward())
case("backward_twice", backward_twice)
case("backward_twice_ok", backward_twice_ok)
case("linear_no_graph", linear_no_graph)
case("unused", lambda: torch.autograd.grad((leaf() * 2).sum(), [leaf()]))
case("input_no_grad", lambda: torch.autograd.grad((leaf() * 2).sum(), [torch.ones(2)]))
case("version_input", version_input)
case("version_output", version_output)
case("version_not_saved_operand", version_not_saved_operand)
case("version_other_operand_ok", version_other_operand_ok)
case("requires_grad_nonleaf", lambda: (leaf() * 2).requires_grad_(False))
case("requires_grad_int", lambda: torch.ones(2, dtype=torch.int64).requires_grad_())
case("grad_shape", lambda: (leaf() * 2).backward(torch.ones(3)))
case("broadcast", lambda: torch.ones(2, 3) + torch.ones(3, 2))
case("mm_shapes", lambda: torch.ones(2, 3) @ torch.ones(2, 3))
case("dot_shapes", lambda: torch.ones(3) @ torch.ones(4))
case("matmul_dtype", lambda: torch.ones(2, 3) @ torch.ones(3, 2, dtype=torch.float64))
case("dim_range", lambda: torch.ones(2, 3).sum(5))
case("view_size", lambda: torch.ones(2, 3).view(4))
case("view_stride", lambda: torch.ones(2, 3).t().view(6))
case("view_infer", lambda: torch.ones(2, 3).view(-1, -1))
case("item", lambda: torch.ones(2, 3).item())
case("transpose_dim", lambda: torch.ones(2, 3).transpose(0, 2))
case("select_index", lambda: torch.ones(2, 3).select(0, 5))
case("expand", lambda: torch.ones(2, 3).expand(3, 3))
case("cat_sizes", lambda: torch.cat([torch.ones(2, 3), torch.ones(2, 2)]))
case("stack_sizes", lambda: torch.stack([torch.ones(2, 3), torch.ones(2, 2)]))
case("inplace_broadcast", lambda: torch.ones(2, 3).add_(torch.ones(2, 2, 3)))
case("nll_target", lambda: F.nll_loss(torch.ones(2, 3), torch.tensor([0, 3])))
case("index_select_range", lambda: torch.ones(2, 3).index_select(1, torch.tensor([3])))
case("gather_range", lambda: torch.ones(2, 3).gather(1, torch.tensor([[3]])))
case("retain_grad_no_grad", lambda: torch.ones(2).retain_grad())
case("hook_no_grad", lambda: torch.ones(2).register_hook(lambda g: g))
case("permute_dims", lambda: torch.ones(2, 3).permute(0))
case("permute_repeat", lambda: torch.ones(2, 3).permute(0, 0))
case("neg_bool", lambda: -torch.ones(2, dtype=torch.bool))
case("arange_step", lambda: torch.arange(0, 1, 0))
case("empty_max", lambda: torch.ones(0).max())
case("detach_view", lambda: (leaf() * 2)[0].detach_())


def hook_size():
    x = leaf()
    x.register_hook(lambda g: torch.ones(3))
    (x * 2).sum().backward()


case("hook_size", hook_size)
case("inplace_expanded", lambda: torch.ones(1).expand(3).add_(1))
case("huge", lambda: torch.empty(1 << 62, 1 << 62))

# Which ops save tensors: a second backward without retain_graph fails exactly for them.
twice = [
    ("add_scalar", lambda x: x + 1), ("sub_scalar", lambda x: x - 1),
    ("mul_scalar", lambda x: x * 2), ("div_scalar", lambda x: x / 2),
    ("rsub_scalar", lambda x: 1 - x), ("pow_scalar", lambda x: x ** 2),
    ("neg", lambda x: -x), ("exp", torch.exp), ("log", torch.log), ("sqrt", torch.sqrt),
    ("abs", torch.abs), ("sign", torch.sign), ("sin", torch.sin), ("cos", torch.cos),
    ("tanh", torch.tanh), ("sigmoid", torch.sigmoid), ("relu", torch.relu),
    ("clamp", lambda x: torch.clamp(x, 0, 1)), ("sum", torch.sum), ("mean", torch.mean),
    ("max", torch.max), ("max_dim", lambda x: torch.max(x, 0).values),
    ("softmax", lambda x: torch.softmax(x, 0)), ("log_softmax", lambda x: torch.log_softmax(x, 0)),
    ("view", lambda x: x.view(2, 2)), ("t", lambda x: x.view(2, 2).t()),
    ("slice", lambda x: x[1:]), ("select", lambda x: x[1]), ("expand", lambda x: x.expand(2, 4)),
    ("cat", lambda x: torch.cat([x, x])), ("clone", lambda x: x.clone()),
    ("index_select", lambda x: x.index_select(0, torch.tensor([1]))),
    ("matmul_const", lambda x: x @ torch.ones(4)),
    ("mul_const", lambda x: x * torch.ones(4)),
]
for name, f in twice:
    def go(f=f):
        x = torch.tensor([0.5, 1.5, 2.5, 3.5], requires_grad=True)
        y = f(x).sum()
        y.backward()
        y.backward()
    case("twice_" + name, go)
