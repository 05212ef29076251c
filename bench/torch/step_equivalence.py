"""K AttentionGAN training steps in PyTorch, recorded so that the TensorFlow.js port can replay them from the same
start (src/gan/step-equivalence.ts; bench/step-equivalence.ts; the fixture of test/gan/step-equivalence.test.ts).
Networks, optimisers and the step are train_step.py's (bench/torch/attentiongan.py networks with the reference
init drawn after torch.manual_seed(seed); LSGAN, cycle λ 10, identity 0.5; one Adam lr 2e-4, β 0.5/0.999, eps
1e-8 for G_A ∪ G_B and one for D_A ∪ D_B), with image pools of size 0 (pass-through), so nothing random happens
after the init. `--dtype float64` runs the same steps in double precision from the same (float32-drawn) init and
batches, as the nearly exact trajectory a float32 run can be measured against; its final weights are written
rounded to float32. The batches are 8-bit images (uint8 q, drawn from torch.Generator seeded seed + 1) mapped to
x = q / 127.5 − 1, computed in float64 and rounded once to float32, which TypeScript reproduces bit for bit.
Writes into --out:
  step-equivalence.json  format, version, config, dtype, torch version and threads, the batch file's layout, the
                         weight manifest ({name, shape, dtype} in file order, names as this project's variables:
                         `G_A/conv1/kernel`, `D_B/model.8/bias`, in tfjs layouts: conv [kh, kw, in, out],
                         transposed conv [kh, kw, out, in]) and every step's loss terms, keyed and unweighted as
                         src/gan/train-step.ts's StepLosses (gA_gan … idtB, g_total, dA, dB)
  initial.bin, final.bin the four networks' weights before step 1 and after step K: little-endian float32 in
                         manifest order (the layout of src/gan/tensor-file.ts)
  batches.u8             q for [K, 2 (a, b), batch, size, size, 3], NHWC
Usage: python bench/torch/step_equivalence.py --out DIR --ngf 2 --blocks 2 --ndf 2 --size 32 --batch 2 --steps 5
       [--seed 1] [--dtype float32|float64] [--threads N]
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_step import LOSS_TERMS, ImagePool, build_networks, build_optimizers, make_step_terms  # noqa: E402

FORMAT = 'repro-step-equivalence'
VERSION = 1
SCOPES = ('G_A', 'G_B', 'D_A', 'D_B')                                   # src/gan/train-step.ts NETWORK_SCOPES


def tfjs_tensors(networks):
    """(variable name, float32 array in the tfjs layout) for every parameter of the four networks, in order."""
    out = []
    for scope, net in zip(SCOPES, networks):
        for name, p in net.named_parameters():
            module, kind = name.rsplit('.', 1)
            value = p.detach()
            if value.dim() == 4:                                      # conv [out, in, kh, kw] → [kh, kw, in, out];
                value = value.permute(2, 3, 1, 0)                     # transposed [in, out, kh, kw] → [kh, kw, out, in]
            out.append((f'{scope}/{module}/{"kernel" if kind == "weight" else "bias"}', value.contiguous().numpy().astype('<f4')))
    return out


def write_tensors(path, tensors):
    with open(path, 'wb') as f:
        for _, value in tensors:
            f.write(value.tobytes())


def to_images(q, dtype=torch.float32):
    """uint8 [B, H, W, 3] (NHWC) → NCHW in [−1, 1], x = q / 127.5 − 1 rounded once from float64 to float32."""
    x = (q.numpy().astype(np.float64) / 127.5 - 1.0).astype(np.float32)
    return torch.from_numpy(x).permute(0, 3, 1, 2).contiguous().to(dtype)  # [B, 3, H, W]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', required=True)
    for name, default in [('ngf', 2), ('blocks', 2), ('ndf', 2), ('size', 32), ('batch', 2), ('steps', 5), ('seed', 1)]:
        parser.add_argument(f'--{name}', type=int, default=default)
    parser.add_argument('--dtype', choices=['float32', 'float64'], default='float32')
    parser.add_argument('--threads', type=int, default=os.cpu_count())
    args = parser.parse_args()
    if args.size % 8 != 0 or args.size < 24:
        parser.error(f'--size expected a multiple of 8 of at least 24 (the discriminator needs a patch map), received {args.size}')
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)

    dtype = getattr(torch, args.dtype)
    networks = [net.to(dtype) for net in build_networks(args.ngf, args.blocks, args.ndf, args.seed)]  # init drawn in float32
    opt_g, opt_d = build_optimizers(*networks)
    step = make_step_terms(*networks, opt_g, opt_d, ImagePool(0, None), ImagePool(0, None))
    generator = torch.Generator().manual_seed(args.seed + 1)
    q = torch.randint(0, 256, (args.steps, 2, args.batch, args.size, args.size, 3), dtype=torch.uint8, generator=generator)

    initial = tfjs_tensors(networks)
    losses = []
    for k in range(args.steps):
        terms = step(to_images(q[k, 0], dtype), to_images(q[k, 1], dtype))
        losses.append({key: terms[key] for key in LOSS_TERMS})
    final = tfjs_tensors(networks)

    write_tensors(os.path.join(args.out, 'initial.bin'), initial)
    write_tensors(os.path.join(args.out, 'final.bin'), final)
    with open(os.path.join(args.out, 'batches.u8'), 'wb') as f:
        f.write(q.numpy().tobytes())
    index = {
        'format': FORMAT, 'version': VERSION, 'dtype': args.dtype,
        'config': {key: getattr(args, key) for key in ('ngf', 'blocks', 'ndf', 'size', 'batch', 'steps', 'seed')},
        'torch': {'version': torch.__version__, 'threads': torch.get_num_threads()},
        'batches': {'file': 'batches.u8', 'shape': list(q.shape), 'dtype': 'uint8'},
        'weights': {'initial': 'initial.bin', 'final': 'final.bin',
                    'manifest': [{'name': name, 'shape': list(value.shape), 'dtype': 'float32'} for name, value in initial]},
        'losses': losses,
    }
    with open(os.path.join(args.out, 'step-equivalence.json'), 'w') as f:
        f.write(json.dumps(index, indent=2, sort_keys=True) + '\n')


if __name__ == '__main__':
    main()
