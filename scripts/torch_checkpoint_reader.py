"""Reads a PyTorch checkpoint (a state dict saved with `torch.save`) without torch, for
scripts/convert-attentiongan.py: the zip format (torch >= 1.6: `<name>/data.pkl` plus one raw
`<name>/data/<key>` entry per storage) and the legacy format (magic number, pickled object, storage keys,
then each storage as an int64 element count and raw bytes). The pickle is read with a restricted Unpickler
that only knows tensors, storages and ordered dicts, so a checkpoint cannot run code. `to_float32` honours
storage offsets and strides and widens or narrows float64/float16/bfloat16 to float32. Standard library only.
"""
import array
import pickle
import struct
import sys
import zipfile

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
# storage class name → (array typecode or a decoder name, bytes per element)
STORAGE_TYPES = {
    'FloatStorage': ('f', 4), 'DoubleStorage': ('d', 8), 'HalfStorage': ('e', 2), 'BFloat16Storage': ('bf16', 2),
    'LongStorage': ('q', 8), 'IntStorage': ('i', 4), 'ShortStorage': ('h', 2), 'CharStorage': ('b', 1),
    'ByteStorage': ('B', 1), 'BoolStorage': ('B', 1),
}
FLOAT_STORAGES = ('FloatStorage', 'DoubleStorage', 'HalfStorage', 'BFloat16Storage')


class CheckpointError(Exception):
    """A checkpoint problem the user can act on; the message goes what → expected → received."""


# --- reading the pickle -------------------------------------------------------------------------------

class StorageType:
    def __init__(self, name):
        self.name = name


class Storage:
    """A storage whose bytes are read on demand: `reader(key, numel)` returns the raw little-endian bytes."""

    def __init__(self, type_name, key, numel, reader):
        self.type_name, self.key, self.numel, self.reader = type_name, key, numel, reader
        self._bytes = None

    def raw(self):
        if self._bytes is None:
            self._bytes = self.reader(self.key, self.numel, STORAGE_TYPES[self.type_name][1])
        return self._bytes


class TensorRef:
    """A tensor as the pickle describes it: a view (offset, size, stride) into a storage."""

    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)


def rebuild_tensor(storage, storage_offset, size, stride, *_rest):
    if not isinstance(storage, Storage):
        raise CheckpointError(f'tensor expected a storage, received {type(storage).__name__}')
    return TensorRef(storage, storage_offset, size, stride)


def rebuild_parameter(data, *_rest):
    return data


class OrderedDictStub(dict):
    """collections.OrderedDict stand-in that also accepts the `_metadata` attribute torch pickles."""


ALLOWED_GLOBALS = {
    ('collections', 'OrderedDict'): OrderedDictStub,
    ('torch._utils', '_rebuild_tensor_v2'): rebuild_tensor,
    ('torch._utils', '_rebuild_tensor'): rebuild_tensor,
    ('torch._utils', '_rebuild_parameter'): rebuild_parameter,
    ('torch._utils', '_rebuild_parameter_with_state'): rebuild_parameter,
}


class CheckpointUnpickler(pickle.Unpickler):
    def __init__(self, file, reader):
        super().__init__(file, encoding='utf-8')
        self.reader = reader
        self.storages = {}

    def find_class(self, module, name):
        if (module, name) in ALLOWED_GLOBALS:
            return ALLOWED_GLOBALS[(module, name)]
        if module == 'torch' and name in STORAGE_TYPES:
            return StorageType(name)
        if module == 'torch' and name.endswith('Storage'):
            raise CheckpointError(f"storage type 'torch.{name}' expected one of {', '.join(sorted(STORAGE_TYPES))}")
        raise CheckpointError(
            f"pickle expected only tensors and dicts, received the global '{module}.{name}' "
            '(a whole pickled model? save `net.state_dict()` instead)')

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or len(pid) < 5 or _text(pid[0]) != 'storage':
            raise CheckpointError(f'persistent id expected (\'storage\', type, key, location, numel), received {pid!r:.80}')
        storage_type, key, _location, numel = pid[1], _text(pid[2]), pid[3], pid[4]
        if not isinstance(storage_type, StorageType):
            raise CheckpointError(f'storage expected a torch storage type, received {storage_type!r:.60}')
        if len(pid) > 5 and pid[5] is not None:
            raise CheckpointError('storage expected no view metadata (a legacy storage view), received one')
        if key not in self.storages:
            self.storages[key] = Storage(storage_type.name, key, numel, self.reader)
        return self.storages[key]


def _text(value):
    return value.decode('ascii') if isinstance(value, bytes) else str(value)


def read_zip(path):
    """(object, format) for the zip format; storages read from `<prefix>/data/<key>`."""
    archive = zipfile.ZipFile(path)
    names = archive.namelist()
    pickles = [n for n in names if n.endswith('/data.pkl') or n == 'data.pkl']
    if not pickles:
        raise CheckpointError(f'zip archive expected a data.pkl entry, received {", ".join(names[:5]) or "no entries"}')
    prefix = pickles[0][: -len('data.pkl')]
    byteorder = archive.read(prefix + 'byteorder').decode() if prefix + 'byteorder' in names else 'little'

    def reader(key, numel, size):
        data = archive.read(f'{prefix}data/{key}')
        if len(data) < numel * size:
            raise CheckpointError(f"storage '{key}' expected {numel * size} bytes, received {len(data)}")
        return data, byteorder

    with archive.open(pickles[0]) as file:
        return CheckpointUnpickler(file, reader).load(), 'zip'


def read_legacy(path):
    """(object, format) for the pre-1.6 format: storages follow the pickles in the same file."""
    with open(path, 'rb') as file:
        if pickle.load(file) != LEGACY_MAGIC:
            raise CheckpointError('legacy checkpoint expected the torch magic number first')
        pickle.load(file)                                          # protocol version
        sys_info = pickle.load(file)
        byteorder = 'little' if sys_info.get('little_endian', True) else 'big'
        unpickler = CheckpointUnpickler(file, None)
        obj = unpickler.load()
        keys = [_text(k) for k in pickle.load(file)]
        blobs = {}
        for key in keys:
            (count,) = struct.unpack('<q', file.read(8))
            storage = unpickler.storages.get(key)
            size = STORAGE_TYPES[storage.type_name][1] if storage else 1
            blobs[key] = file.read(count * size)
            if len(blobs[key]) < count * size:
                raise CheckpointError(f"legacy storage '{key}' expected {count * size} bytes, received {len(blobs[key])} (the file ended)")
        for storage in unpickler.storages.values():
            storage.reader = lambda key, numel, size: (blobs[key], byteorder)
        return obj, 'legacy'


def read_checkpoint(path):
    if zipfile.is_zipfile(path):
        return read_zip(path)
    with open(path, 'rb') as file:
        head = file.read(2)
    if head[:1] == b'\x80':                                        # pickle protocol ≥ 2 opcode
        return read_legacy(path)
    if head == b'PK':
        raise CheckpointError('file expected a complete zip archive, received a truncated or damaged one '
                              '(zip header, but no readable central directory)')
    raise CheckpointError('file expected a PyTorch checkpoint (a zip archive from torch >= 1.6, or a legacy pickle stream), '
                          f'received a file starting with bytes {head.hex() or "(empty)"}')


# --- tensors ------------------------------------------------------------------------------------------

def to_float32(ref):
    """The tensor's elements in row-major order as array('f')."""
    type_name = ref.storage.type_name
    if type_name not in FLOAT_STORAGES:
        raise CheckpointError(f'weights expected a float storage, received torch.{type_name}')
    (raw, byteorder) = ref.storage.raw()
    code, size = STORAGE_TYPES[type_name]
    if code == 'bf16':                                             # upper half of a float32
        halves = array.array('H', raw)
        if byteorder != sys.byteorder:
            halves.byteswap()
        values = array.array('f', struct.pack(f'={len(halves)}I', *(h << 16 for h in halves)))
    elif code == 'e':                                              # float16: array has no typecode for it
        endian = '<' if byteorder == 'little' else '>'
        values = array.array('f', struct.unpack(f'{endian}{len(raw) // 2}e', raw[: len(raw) // 2 * 2]))
    else:
        values = array.array(code, raw[: len(raw) // size * size])
        if byteorder != sys.byteorder:
            values.byteswap()
        if code != 'f':
            values = array.array('f', values)
    numel = 1
    for s in ref.size:
        numel *= s
    contiguous = [1] * len(ref.size)
    for i in range(len(ref.size) - 2, -1, -1):
        contiguous[i] = contiguous[i + 1] * ref.size[i + 1]
    if numel == 0:
        return array.array('f')
    if ref.offset + numel > len(values) and tuple(contiguous) == ref.stride:
        raise CheckpointError(f'tensor of {numel} elements at offset {ref.offset} expected to fit its storage, received {len(values)} elements')
    if tuple(contiguous) == ref.stride or numel == 1:
        return values[ref.offset: ref.offset + numel]
    out = array.array('f', bytes(4 * numel))                       # strided view: gather element by element
    for flat in range(numel):
        rest, index = flat, ref.offset
        for dim in range(len(ref.size) - 1, -1, -1):
            rest, i = divmod(rest, ref.size[dim])
            index += i * ref.stride[dim]
        out[flat] = values[index]
    return out
