#!/usr/bin/python3
# print.py — PyTorch's repr for the tensors test_print.c builds, one per section.
# Run by hand:  /usr/bin/python3 print.py > print.txt
import torch

cases = []


def case(name, t):
    print(f"=== {name}")
    print(t)


torch.manual_seed(5)
case("int_valued", torch.tensor([1., 2., 3.]))
case("fixed", torch.tensor([[4.5, 4.5], [4.5, 4.5]]))
case("negative", torch.tensor([[-1.5, 2.25], [3.125, -40.0]]))
case("scalar", torch.tensor(2.5))
case("scalar_int_valued", torch.tensor(27.))
case("scalar_f64", torch.tensor(-0.125, dtype=torch.float64))
case("small_sci", torch.tensor([1e-5, 1.]))
case("large_sci", torch.tensor([1e10, 1.]))
case("ratio_sci", torch.tensor([0.001, 2.5]))
case("int_sci", torch.tensor([1., 100000.]))
case("nonfinite", torch.tensor([float('nan'), 1., float('inf'), -float('inf')]))
case("neg_zero", torch.tensor([-0.0, 1., 2.]))
case("zeros", torch.zeros(2, 3))
case("empty_1d", torch.zeros(0))
case("empty_2d", torch.zeros(0, 3))
case("empty_int", torch.zeros(0, dtype=torch.int64))
case("empty_f64", torch.zeros(2, 0, dtype=torch.float64))
case("int64", torch.tensor([[1, -20], [300, 4]]))
case("bool", torch.tensor([[True, False], [False, True]]))
case("f64", torch.tensor([1.5, 2.5], dtype=torch.float64))
case("f64_int_valued", torch.tensor([[1., 2.], [3., 4.]], dtype=torch.float64))
case("requires_grad", torch.ones(2, 2, requires_grad=True))
case("grad_fn", torch.ones(2, 2, requires_grad=True) * 2)
case("grad_fn_f64", torch.ones(2, dtype=torch.float64, requires_grad=True).sum())
case("rand_row", torch.rand(30))
case("rand_matrix", torch.rand(3, 30) * 2 - 1)
case("rand_3d", torch.rand(2, 3, 4))
case("rand_4d", torch.rand(2, 1, 2, 3))
case("wrap_suffix", torch.rand(10, requires_grad=True) * 1000)
case("wrap_suffix_row", torch.rand(8, requires_grad=True) * -100)
case("summarized_1d", torch.arange(2000.))
case("summarized_2d", torch.arange(2000.).reshape(2, 1000) / 7)
case("summarized_3d", torch.rand(20, 20, 20))
case("summarized_rows", torch.rand(1001, 2))
case("summarized_int", torch.arange(1500))
case("transposed", torch.arange(6.).reshape(2, 3).t())
case("sliced", torch.arange(10.)[1:9:3])
case("expanded", torch.tensor([1.5, 2.]).expand(3, 2))
torch.manual_seed(7)
case("randn_small", torch.randn(3))
case("randn_small_again", torch.randn(2, 2))
case("randn_block", torch.randn(4, 9))
case("randn_f64", torch.randn(5, 4, dtype=torch.float64))
