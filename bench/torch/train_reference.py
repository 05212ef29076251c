"""The yardstick of bench/learning.ts: the PyTorch AttentionGAN (bench/torch/attentiongan.py networks and
train_step.py's step: LSGAN, cycle λ 10, identity 0.5, one Adam per side at lr 2e-4, β 0.5/0.999, image pools
of 50) trained with the reference's settings (no NMC, no attention supervision, no noise, deconv decoders,
constant learning rate) on the same faces, for the same epochs and batch as the TensorFlow.js variants, so
that their held-out scores can be read against what the official architecture does with this data.
Inputs are 8-bit images that the benchmark decoded and resized to --load-size with sharp: a.u8 and b.u8, each
[N, L, L, 3] NHWC back to back (N = file size / L²·3). An epoch visits every A once in an order shuffled per
epoch, in ceil(N_A / batch) steps, the last one smaller; B images are drawn at random (the reference's
unaligned loader with serial_batches off); each image is cropped at a random offset to --size and flipped with
probability ½ (the reference's resize_and_crop + flip), then x = q / 127.5 − 1. All draws come from one
torch.Generator seeded --seed + 1 (the init is drawn after torch.manual_seed(--seed)). After every
--keep-every-th epoch and the last, G_A is saved as a state dict and converted by scripts/convert-attentiongan.py
into OUT/epoch-NNNN/ (generator.json + generator.bin, what src/gan/generator-weights.ts reads); OUT/epochs.json
indexes the epochs as progressive-train's does (network, per-epoch mean losses), so the `evaluate` stage scores
them unchanged. Prints one line per epoch (mean losses, seconds).
Usage: .venv-torch/bin/python bench/torch/train_reference.py --a a.u8 --b b.u8 --load-size 72 --size 64 --out DIR
       [--ngf 32] [--blocks 6] [--ndf 32] [--batch 4] [--epochs 12] [--keep-every 2] [--seed 1] [--threads N]
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_step import LOSS_TERMS, ImagePool, build_networks, build_optimizers, make_step_terms  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONVERTER = os.path.join(ROOT, 'scripts', 'convert-attentiongan.py')


def read_images(path, load_size):
    """uint8 [N, L, L, 3] from a raw NHWC file, naming the file when its size is not a whole number of images."""
    raw = np.fromfile(path, dtype=np.uint8)
    per_image = load_size * load_size * 3
    if raw.size == 0 or raw.size % per_image != 0:
        raise SystemExit(f"'{path}' expected [N, {load_size}, {load_size}, 3] uint8 images, received {raw.size} bytes")
    return torch.from_numpy(raw.reshape(-1, load_size, load_size, 3).copy())


def augment(q, indices, size, generator):
    """Random crop to size and a flip with p ½ per image, then [−1, 1]: uint8 [N, L, L, 3] → float [B, 3, S, S]."""
    load_size = q.shape[1]
    out = []
    for i in indices:
        top, left = (int(torch.randint(0, load_size - size + 1, (1,), generator=generator)) for _ in range(2))
        image = q[i, top:top + size, left:left + size]                     # [S, S, 3]
        if float(torch.rand(1, generator=generator)) < 0.5:
            image = image.flip(1)
        out.append(image)
    return torch.stack(out).permute(0, 3, 1, 2).float() / 127.5 - 1.0       # [B, 3, S, S]


def export_generator(g_a, out_dir, epoch):
    """G_A's state dict → OUT/epoch-NNNN/ through the project's converter (temp dir, then a rename)."""
    final = os.path.join(out_dir, f'epoch-{epoch:04d}')
    with tempfile.TemporaryDirectory(dir=out_dir) as scratch:
        checkpoint = os.path.join(scratch, 'G_A.pth')
        torch.save(g_a.state_dict(), checkpoint)
        converted = os.path.join(scratch, 'converted')
        done = subprocess.run([sys.executable, CONVERTER, checkpoint, converted], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f'converting G_A of epoch {epoch} failed ({CONVERTER}):\n{done.stderr}')
        os.replace(converted, final)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--a', required=True)
    parser.add_argument('--b', required=True)
    parser.add_argument('--out', required=True)
    for name, default in [('load-size', 72), ('size', 64), ('ngf', 32), ('blocks', 6), ('ndf', 32), ('batch', 4),
                          ('epochs', 12), ('keep-every', 2), ('seed', 1), ('threads', os.cpu_count())]:
        parser.add_argument(f'--{name}', type=int, default=default)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    a, b = read_images(args.a, args.load_size), read_images(args.b, args.load_size)
    os.makedirs(args.out, exist_ok=True)
    g_a, g_b, d_a, d_b = build_networks(args.ngf, args.blocks, args.ndf, args.seed)
    opt_g, opt_d = build_optimizers(g_a, g_b, d_a, d_b)
    rng = random.Random(args.seed)
    step = make_step_terms(g_a, g_b, d_a, d_b, opt_g, opt_d, ImagePool(50, rng), ImagePool(50, rng))
    draws = torch.Generator().manual_seed(args.seed + 1)
    records, global_step = [], 0
    for epoch in range(1, args.epochs + 1):
        started = time.perf_counter()
        order = torch.randperm(a.shape[0], generator=draws).tolist()
        sums = {key: 0.0 for key in LOSS_TERMS}
        steps = 0
        for offset in range(0, len(order), args.batch):
            chosen = order[offset:offset + args.batch]
            batch_a = augment(a, chosen, args.size, draws)
            batch_b = augment(b, torch.randint(0, b.shape[0], (len(chosen),), generator=draws).tolist(), args.size, draws)
            terms = step(batch_a, batch_b)
            for key in LOSS_TERMS:
                sums[key] += terms[key]
            steps += 1
        global_step += steps
        kept = epoch % args.keep_every == 0 or epoch == args.epochs
        if kept:
            export_generator(g_a, args.out, epoch)
        losses = {key: round(value / steps, 6) for key, value in sums.items()}
        records.append({'epoch': epoch, 'phase': 'torch-reference', 'learningRate': 2e-4, 'kept': kept, 'noise': None,
                        'losses': losses, 'quality': {}})
        print(f"epoch {epoch}/{args.epochs}: {steps} steps (step {global_step}), G {losses['g_total']:.3f}, "
              f"D_A {losses['dA']:.3f}, D_B {losses['dB']:.3f}, {time.perf_counter() - started:.1f} s", flush=True)
    network = {'ngf': args.ngf, 'blocks': args.blocks, 'ndf': args.ndf, 'upsample': 'deconv', 'attentionActivation': 'relu'}
    index = os.path.join(args.out, 'epochs.json')
    with open(index + '.tmp', 'w') as handle:
        handle.write(json.dumps({'network': network, 'epochs': records}, indent=2) + '\n')
    os.replace(index + '.tmp', index)
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'steps': global_step,
                      'trainA': int(a.shape[0]), 'domainB': int(b.shape[0])}))


if __name__ == '__main__':
    main()
