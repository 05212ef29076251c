#!/usr/bin/env python3
"""Converts an AttentionGAN v2 generator checkpoint (a PyTorch state dict saved with `torch.save`) into this
project's generator files — the same `generator.json` + `generator.bin` that src/gan/generator-weights.ts
reads and `exportGenerator` writes — using only the Python standard library: no torch is needed at
conversion time. The checkpoint itself is read by torch_checkpoint_reader.py (zip and legacy formats, a
restricted unpickler). `module.` prefixes (DataParallel) and InstanceNorm running-stat keys are dropped.
Conv kernels go from torch [out, in, kh, kw] to tfjs [kh, kw, in, out] and transposed-conv kernels from
[in, out, kh, kw] to [kh, kw, out, in] (the same axis permutation), and torch names become the project's
scope-free variable names (`deconv1_content.weight` → `deconv1_content/kernel`, `.bias` → `/bias`).
`generator.json` holds the format and version, `config` (ngf, blocks), the manifest (name, tfjs shape,
dtype, in file order) and `source` (file, sha256, checkpoint format, stripped prefix, dropped and skipped
keys, content channels, attention maps, variant); `generator.bin` holds little-endian float32 values back to
back in manifest order. Both are written through a temp file and a rename. Exit codes: 0 converted, 1 the
checkpoint is unreadable or not a generator, 2 bad usage.

Usage: python scripts/convert-attentiongan.py <in.pth> <out-dir>
"""
import array
import hashlib
import json
import os
import pickle
import re
import struct
import sys
import zipfile

from torch_checkpoint_reader import CheckpointError, TensorRef, read_checkpoint, to_float32

FORMAT = 'repro-attentiongan-generator'
VERSION = 1
DROPPED_SUFFIXES = ('.running_mean', '.running_var', '.num_batches_tracked')
LAYER_KEY = re.compile(r'^(conv[123]|resnet_blocks\.\d+\.conv[12]|deconv[123]_(content|attention))\.(weight|bias)$')


def permute_kernel(values, shape):
    """[a, b, kh, kw] → [kh, kw, b, a]: torch conv [out, in, …] → tfjs [kh, kw, in, out], and torch transposed
    conv [in, out, …] → tfjs [kh, kw, out, in]."""
    a, b, kh, kw = shape
    plane = kh * kw
    out = array.array('f')
    for h in range(kh):
        for w in range(kw):
            for j in range(b):                                     # elements (i, j, h, w) for every i, stride b·kh·kw
                out.extend(values[(j * plane) + h * kw + w:: b * plane])
    return out


# --- the generator ------------------------------------------------------------------------------------

def find_state_dict(obj):
    if isinstance(obj, dict) and obj and all(isinstance(v, TensorRef) for v in obj.values()):
        return obj
    if isinstance(obj, dict):
        for key in ('state_dict', 'model', 'netG', 'generator'):
            if isinstance(obj.get(key), dict):
                return find_state_dict(obj[key])
        keys = ', '.join(f"'{k}'" for k in list(obj)[:6])
        raise CheckpointError(f'checkpoint expected a state dict of tensors, received a dict with keys {keys or "(none)"}')
    raise CheckpointError(f'checkpoint expected a state dict of tensors, received {type(obj).__name__}')


def clean_keys(state):
    """(tensors, stripped prefix or None, dropped keys): `module.` removed, running stats dropped."""
    names = list(state)
    prefix = 'module.' if names and all(n.startswith('module.') for n in names) else None
    tensors, dropped = {}, []
    for name in names:
        key = name[len(prefix):] if prefix else name
        if key.endswith(DROPPED_SUFFIXES):
            dropped.append(key)
        else:
            tensors[key] = state[name]
    return tensors, prefix, dropped


def infer_architecture(tensors):
    required = ['conv1', 'conv2', 'conv3', 'deconv1_content', 'deconv2_content', 'deconv3_content',
                'deconv1_attention', 'deconv2_attention', 'deconv3_attention']
    missing = [f'{m}.weight' for m in required if f'{m}.weight' not in tensors]
    if missing:
        found = ', '.join(f"'{k}'" for k in list(tensors)[:4])
        hint = ' (this looks like a PatchGAN discriminator)' if 'model.0.weight' in tensors else ''
        raise CheckpointError(f"state dict expected an AttentionGAN generator with {', '.join(repr(m) for m in missing[:3])}, "
                              f'received keys {found}{hint}')
    for name, ref in tensors.items():
        expected = 4 if name.endswith('.weight') else 1
        if len(ref.size) != expected:
            raise CheckpointError(f"'{name}' expected {expected} dimensions, received shape {list(ref.size)}")
    blocks = 0
    while f'resnet_blocks.{blocks}.conv1.weight' in tensors:
        blocks += 1
    content = tensors['deconv3_content.weight'].size[0]
    maps = tensors['deconv3_attention.weight'].size[0]
    return {
        'ngf': tensors['conv1.weight'].size[0], 'blocks': blocks, 'contentChannels': content,
        'attentionMaps': maps, 'variant': 'geo' if content == 3 * maps else 'standard',
    }


def convert(in_path, out_dir):
    if not os.path.isfile(in_path):
        raise CheckpointError('file expected to exist, found nothing there')
    try:
        obj, fmt = read_checkpoint(in_path)
        tensors, prefix, dropped = clean_keys(find_state_dict(obj))
        architecture = infer_architecture(tensors)
        entries, chunks, skipped = convert_tensors(tensors)
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, pickle.UnpicklingError, EOFError, struct.error, KeyError, ValueError,
            AttributeError, TypeError, IndexError, OverflowError, MemoryError) as error:
        raise CheckpointError(f'file expected a readable PyTorch checkpoint, reading failed with {type(error).__name__}: {error}') from error
    with open(in_path, 'rb') as file:
        digest = hashlib.sha256(file.read()).hexdigest()
    manifest = {
        'format': FORMAT,
        'version': VERSION,
        'config': {'ngf': architecture['ngf'], 'blocks': architecture['blocks']},
        'manifest': entries,
        'source': {'file': os.path.basename(in_path), 'sha256': digest, 'format': fmt, 'strippedPrefix': prefix,
                   'droppedKeys': dropped, 'skippedKeys': skipped, 'contentChannels': architecture['contentChannels'],
                   'attentionMaps': architecture['attentionMaps'], 'variant': architecture['variant']},
    }
    os.makedirs(out_dir, exist_ok=True)
    write_atomic(os.path.join(out_dir, 'generator.bin'), b''.join(chunks))
    write_atomic(os.path.join(out_dir, 'generator.json'), (json.dumps(manifest, indent=2, sort_keys=True) + '\n').encode())
    return manifest


def convert_tensors(tensors):
    """(manifest entries, little-endian float32 chunks, skipped keys) in state-dict order: kernels in tfjs
    layout, names as the project's variables (`<module>/kernel`, `<module>/bias`)."""
    entries, chunks, skipped = [], [], []
    for name, ref in tensors.items():
        match = LAYER_KEY.match(name)
        if not match:
            skipped.append(name)
            continue
        values = to_float32(ref)
        shape = list(ref.size)
        if len(shape) == 4:
            values = permute_kernel(values, shape)                 # [a, b, kh, kw] → [kh, kw, b, a]
            shape = [shape[2], shape[3], shape[1], shape[0]]
        if sys.byteorder != 'little':
            values.byteswap()
        kind = 'kernel' if match.group(3) == 'weight' else 'bias'
        entries.append({'name': f'{match.group(1)}/{kind}', 'shape': shape, 'dtype': 'float32'})
        chunks.append(values.tobytes())
    return entries, chunks, skipped


def write_atomic(path, data):
    temp = f'{path}.tmp-{os.getpid()}'
    with open(temp, 'wb') as file:
        file.write(data)
    os.replace(temp, path)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write('usage: python scripts/convert-attentiongan.py <in.pth> <out-dir>\n')
        return 2
    try:
        manifest = convert(argv[1], argv[2])
    except CheckpointError as error:
        sys.stderr.write(f"checkpoint '{argv[1]}': {error}\n")
        return 1
    config, source = manifest['config'], manifest['source']
    sys.stderr.write(f"converted {len(manifest['manifest'])} tensors ({source['variant']}, ngf {config['ngf']}, {config['blocks']} blocks, "
                     f"{source['contentChannels']} content channels) to {argv[2]}\n")
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
