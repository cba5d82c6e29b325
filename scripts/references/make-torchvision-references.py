#!/usr/bin/python3
"""Reference files for cnn-zoo's torchvision weight mapping (test/fixtures/torchvision/*.json).

Run with the system Python that has PyTorch and torchvision (1.13 / 0.14 here):

    /usr/bin/python3 scripts/references/make-torchvision-references.py

(`--check-export FOLDER` instead checks the way back: see scripts/references/dump-torchvision-export.ts.)

For each torchvision model this writes its state_dict's keys, shapes and dtypes. For the models the
parity test runs (resnet18, resnet34, resnet50, alexnet, googlenet with its auxiliary heads, vgg16,
mobilenet_v2) it also fills every state_dict tensor with the formula below, runs a formula input
through torchvision in eval mode and writes the logits. test/helpers/formula-weights.ts computes the
same formula bit for bit, so `npm test` needs no Python: it rebuilds the weights from the keys and
shapes written here.

The formula uses only operations that IEEE 754 rounds the same way everywhere (uint32 arithmetic,
one division by 2**32, one multiply and one add in float64, then rounding to float32), so numpy
and JavaScript agree to the bit; a per-tensor checksum of the float32 bits proves it in the tests.

    seed(key)   = FNV-1a, 32 bits, of the key's UTF-8 bytes
    x(key, i)   = lowbias32((i * 0x9E3779B9 + seed(key)) mod 2**32)  (Wellons's integer hash)
    u           = x / 2**32                    in [0, 1)
    s           = u * 2 - 1                    in [-1, 1)
    value       = float32(centre + halfWidth * s)   over the flat index i of the tensor, row-major,
                                                    in torchvision's layout

with (centre, halfWidth) by the key's role (`role` below, recorded as FORMULA in every parity
fixture): conv and linear weights 0 +- sqrt(6 / fan_in) (He-uniform), BatchNorm weight 1 +- 0.25,
every bias and BatchNorm bias 0 +- 0.1, running_mean 0 +- 0.1, running_var 1 +- 0.5 (positive),
num_batches_tracked 0 (int64, not a formula). The input is the key 'input' with 0 +- 2, NCHW. With
running statistics that are not the batches' own, the ResNets' residual sums grow (resnet50's
logits reach 1.8e4); the tests' error is relative to the largest logit, which does not mind.

Also written: test/fixtures/torchvision/grouped_conv2d.json (a grouped conv, for the zoo's
GroupedConv2D layout) and src/import/imagenet-classes.ts (torchvision's 1,000 class names).
"""
import json
import os
import sys

import numpy as np
import torch
import torchvision
from torchvision import models

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'torchvision')
CLASSES = os.path.join(ROOT, 'src', 'import', 'imagenet-classes.ts')
MASK = 0xFFFFFFFF

FORMULA = {
    'name': 'cnn-zoo formula weights v1',
    'hash': 'lowbias32((i * 0x9E3779B9 + fnv1a32(key)) mod 2^32) / 2^32',
    'value': 'float32(centre + halfWidth * (2u - 1))',
    'roles': {
        'weight (rank >= 2)': {'centre': 0, 'halfWidth': 'sqrt(6 / fan_in), fan_in = product of shape[1:]'},
        'weight (rank 1)': {'centre': 1, 'halfWidth': 0.25},
        'bias': {'centre': 0, 'halfWidth': 0.1},
        'running_mean': {'centre': 0, 'halfWidth': 0.1},
        'running_var': {'centre': 1, 'halfWidth': 0.5},
        'num_batches_tracked': {'int64': 0},
        'input': {'centre': 0, 'halfWidth': 2},
    },
}


def fnv1a32(key):
    h = 0x811C9DC5
    for byte in key.encode('utf-8'):
        h ^= byte
        h = (h * 0x01000193) & MASK
    return h


def unit(key, n):
    """u(key, i) for i in [0, n), float64 in [0, 1). numpy's uint32 arithmetic wraps mod 2**32."""
    x = np.arange(n, dtype=np.uint32) * np.uint32(0x9E3779B9) + np.uint32(fnv1a32(key))
    x ^= x >> np.uint32(16)
    x *= np.uint32(0x7FEB352D)
    x ^= x >> np.uint32(15)
    x *= np.uint32(0x846CA68B)
    x ^= x >> np.uint32(16)
    return x.astype(np.float64) / 4294967296.0


def role(key, shape):
    """(centre, halfWidth) of a state_dict key, or None for num_batches_tracked."""
    if key.endswith('.num_batches_tracked'):
        return None
    if key.endswith('.running_var'):
        return 1.0, 0.5
    if key.endswith('.running_mean') or key.endswith('.bias'):
        return 0.0, 0.1
    if key.endswith('.weight') and len(shape) == 1:
        return 1.0, 0.25
    if key.endswith('.weight'):
        fan_in = int(np.prod(shape[1:]))
        return 0.0, float(np.sqrt(6.0 / fan_in))
    raise ValueError(f'{key}: no formula role for this key (shape {list(shape)})')


def formula(key, shape, centre, half_width):
    n = int(np.prod(shape)) if len(shape) else 1
    s = unit(key, n) * 2.0 - 1.0
    return (centre + half_width * s).astype(np.float32).reshape(shape)


def checksum(values):
    """sum over i of bits(value_i) * (i + 1), mod 2**32: the TS side recomputes it to prove bit-identity."""
    flat = np.ascontiguousarray(values, dtype=np.float32).reshape(-1)
    bits = flat.view(np.uint32)
    weights = np.arange(1, flat.size + 1, dtype=np.uint32)
    return int((bits * weights).sum(dtype=np.uint64) & np.uint64(MASK))


def formula_state_dict(model):
    """Every state_dict entry filled by the formula; returns the dict and its [key, shape, dtype, checksum] list."""
    filled, listing = {}, []
    for key, tensor in model.state_dict().items():
        shape = list(tensor.shape)
        r = role(key, shape)
        if r is None:
            filled[key] = torch.zeros((), dtype=torch.int64)
            listing.append([key, shape, 'int64', 0])
            continue
        values = formula(key, shape, *r)
        filled[key] = torch.from_numpy(values)
        listing.append([key, shape, str(tensor.dtype).replace('torch.', ''), checksum(values)])
    return filled, listing


def key_listing(model):
    return [[key, list(t.shape), str(t.dtype).replace('torch.', '')] for key, t in model.state_dict().items()]


def float32_list(array):
    """Shortest decimals that read back as the same float32 (so the files stay small)."""
    return [float(np.format_float_scientific(np.float32(v), unique=True)) for v in np.asarray(array, dtype=np.float32).reshape(-1)]


def write(name, payload):
    path = os.path.join(OUT, f'{name}.json')
    with open(path, 'w') as f:
        json.dump(payload, f, separators=(',', ':'))
        f.write('\n')
    print(f'{path}: {os.path.getsize(path)} bytes', file=sys.stderr)


def header(name, builder):
    return {
        'model': name,
        'builder': builder,
        'versions': {'torch': torch.__version__, 'torchvision': torchvision.__version__, 'numpy': np.__version__},
        'generatedBy': 'scripts/references/make-torchvision-references.py',
    }


def build(builder):
    # The builder strings are this file's own (and the dumps it wrote), kept verbatim in each fixture
    # as its provenance. init_weights=False skips GoogLeNet's own init, overwritten anyway.
    return eval(builder, {'models': models}).eval()


# name, torchvision builder, input [N, C, H, W]. Sizes: 224 where the zoo needs it (AlexNet's
# adaptive pool refuses < 223, VGG's fc1 needs a 7x7 map); smaller elsewhere. resnet34 is not square
# (96x128) to catch a height/width mix-up; googlenet at 160 gives inception4a a 10x10 map, so the
# auxiliary heads' adaptive 4x4 pool has uneven, overlapping bins; mobilenet_v2 at 96 has an even
# map before every stride-2 layer (96, 48, 24, 12, 6), where torchvision pads 1 on every side and
# Keras 0 before and 1 after: only the zoo's torchvision variant gives these logits.
PARITY = [
    ('resnet18', 'models.resnet18()', [2, 3, 112, 112]),
    ('resnet34', 'models.resnet34()', [2, 3, 96, 128]),
    ('resnet50', 'models.resnet50()', [2, 3, 128, 128]),
    ('alexnet', 'models.alexnet()', [2, 3, 224, 224]),
    ('googlenet', 'models.googlenet(aux_logits=True, transform_input=False, init_weights=False)', [2, 3, 160, 160]),
    ('vgg16', 'models.vgg16()', [2, 3, 224, 224]),
    ('mobilenet_v2', 'models.mobilenet_v2()', [2, 3, 96, 96]),
]

# Keys and shapes only: the mapping must cover them completely.
COVERAGE = [
    ('vgg11', 'models.vgg11()'),
    ('vgg13', 'models.vgg13()'),
    ('vgg19', 'models.vgg19()'),
    ('vgg11_bn', 'models.vgg11_bn()'),
    ('vgg13_bn', 'models.vgg13_bn()'),
    ('vgg16_bn', 'models.vgg16_bn()'),
    ('vgg19_bn', 'models.vgg19_bn()'),
    ('resnet101', 'models.resnet101()'),
    ('resnet152', 'models.resnet152()'),
    ('googlenet_noaux', 'models.googlenet(aux_logits=False, transform_input=False, init_weights=False)'),
    ('mobilenet_v2_w050', 'models.mobilenet_v2(width_mult=0.5)'),
]


def strict_loading_check():
    """Does load_state_dict(strict=True) need num_batches_tracked? It depends on the dict's _metadata."""
    source = models.resnet18()
    plain = {k: v.clone() for k, v in source.state_dict().items() if not k.endswith('num_batches_tracked')}
    target = models.resnet18()
    result = {'plainDictWithoutNumBatchesTracked': str(target.load_state_dict(plain, strict=True))}
    with_metadata = source.state_dict()
    for key in [k for k in with_metadata if k.endswith('num_batches_tracked')]:
        del with_metadata[key]
    try:
        target.load_state_dict(with_metadata, strict=True)
        result['stateDictWithMetadataWithoutNumBatchesTracked'] = 'accepted'
    except RuntimeError as error:
        result['stateDictWithMetadataWithoutNumBatchesTracked'] = 'refused: ' + str(error).splitlines()[1].strip()[:120]
    return result


def transform_input_check(state, x01):
    """torchvision's pretrained GoogLeNet has transform_input=True: fed ImageNet-normalised input it
    maps each channel back to (p - 0.5) / 0.5. So the zoo's GoogLeNet (no transform_input) with the same
    weights must be fed 2p - 1, with no mean/std. Measured here on the formula weights."""
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    with_transform = models.googlenet(aux_logits=True, transform_input=True, init_weights=False).eval()
    with_transform.load_state_dict(state, strict=True)
    without = models.googlenet(aux_logits=True, transform_input=False, init_weights=False).eval()
    without.load_state_dict(state, strict=True)
    with torch.no_grad():
        a = with_transform((x01 - mean) / std)
        b = without(x01 * 2 - 1)
    scale = float(b.abs().max())
    return {
        'claim': 'googlenet(transform_input=True) on (p - mean) / std equals googlenet(transform_input=False) on 2p - 1',
        'pixels': 'p = formula key "pixels", centre 0.5, halfWidth 0.5 (in [0, 1)), same shape as the input',
        'maxAbsDifference': float((a - b).abs().max()),
        'maxAbsLogit': scale,
        'maxRelativeDifference': float((a - b).abs().max()) / scale,
    }


def write_imagenet_classes():
    """src/import/imagenet-classes.ts: torchvision's 1,000 class names, in its order."""
    from torchvision.models._meta import _IMAGENET_CATEGORIES as names

    assert len(names) == 1000 and len(set(names)) == 1000
    quote = lambda name: '"' + name + '"' if "'" in name else "'" + name + "'"
    lines = [
        '/**',
        " * The 1,000 ImageNet-1K classes in torchvision's order: `imagenetClasses[i]` names output i of every",
        ' * torchvision ImageNet classifier (and of a zoo model carrying its weights). From',
        f' * `torchvision.models._meta._IMAGENET_CATEGORIES` (torchvision {torchvision.__version__}), written by',
        ' * scripts/references/make-torchvision-references.py. The names are distinct: torchvision tells the',
        " * two cranes and the two maillots apart ('crane bird' 134, 'crane' 517; 'maillot' 638, 'maillot tank suit' 639).",
        ' *',
        ' * @example',
        ' * ```ts',
        " * imagenetClasses[0]; // 'tench'",
        ' * ```',
        ' *',
        ' * @category Import',
        ' */',
        'export const imagenetClasses: readonly string[] = Object.freeze([',
        *[f'  {quote(name)},' for name in names],
        ']);',
    ]
    with open(CLASSES, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print(f'{CLASSES}: {len(names)} names', file=sys.stderr)


def grouped_conv_reference():
    """A grouped convolution (AlexNet's paper variant splits conv2/4/5 in two) as torchvision would hold
    it at AlexNet's features.0: checks the zoo's GroupedConv2D layout, which no torchvision model here uses."""
    model = torch.nn.Sequential()
    model.add_module('features', torch.nn.Sequential(torch.nn.Conv2d(4, 6, 3, groups=2)))
    model.eval()
    state, listing = formula_state_dict(model)
    model.load_state_dict(state, strict=True)
    input_shape = [2, 4, 9, 9]
    x = formula('input', input_shape, 0.0, 2.0)
    with torch.no_grad():
        y = model(torch.from_numpy(x))
    payload = header('grouped_conv2d', "Sequential(features=Sequential(Conv2d(4, 6, 3, groups=2)))")
    payload['formula'] = FORMULA
    payload['tensors'] = listing
    payload['input'] = {'key': 'input', 'shape': input_shape, 'layout': 'NCHW', 'centre': 0, 'halfWidth': 2, 'checksum': checksum(x)}
    payload['outputs'] = {'output': {'shape': list(y.shape), 'layout': 'NCHW', 'values': float32_list(y.numpy())}}
    write('grouped_conv2d', payload)


def main():
    write_imagenet_classes()
    grouped_conv_reference()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    os.makedirs(OUT, exist_ok=True)
    for name, builder, input_shape in PARITY:
        model = build(builder)
        state, listing = formula_state_dict(model)
        model.load_state_dict(state, strict=True)
        x = formula('input', input_shape, 0.0, 2.0)
        xt = torch.from_numpy(x)
        outputs = {}
        with torch.no_grad():
            if name == 'googlenet':
                # eval() returns the main logits only; the heads are run on the maps they hang from.
                captured = {}
                model.inception4a.register_forward_hook(lambda m, i, o: captured.__setitem__('4a', o))
                model.inception4d.register_forward_hook(lambda m, i, o: captured.__setitem__('4d', o))
                outputs['logits'] = model(xt)
                outputs['aux1'] = model.aux1(captured['4a'])
                outputs['aux2'] = model.aux2(captured['4d'])
            else:
                outputs['logits'] = model(xt)
        payload = header(name, builder)
        payload['formula'] = FORMULA
        payload['tensors'] = listing
        payload['input'] = {'key': 'input', 'shape': input_shape, 'layout': 'NCHW', 'centre': 0, 'halfWidth': 2, 'checksum': checksum(x)}
        payload['outputs'] = {k: {'shape': list(v.shape), 'values': float32_list(v.numpy())} for k, v in outputs.items()}
        payload['stats'] = {k: {'maxAbs': float(v.abs().max()), 'std': float(v.std())} for k, v in outputs.items()}
        if name == 'resnet18':
            payload['strictLoading'] = strict_loading_check()
        if name == 'googlenet':
            pixels = torch.from_numpy(formula('pixels', input_shape, 0.5, 0.5))
            payload['transformInput'] = transform_input_check(state, pixels)
            print('transform_input check:', payload['transformInput'], file=sys.stderr)
        write(name, payload)
        del model, state
    for name, builder in COVERAGE:
        model = build(builder)
        payload = header(name, builder)
        payload['tensors'] = key_listing(model)
        write(name, payload)
        del model


def check_export(folder):
    """The way back: the state_dicts dump-torchvision-export.ts wrote from zoo models load into torchvision
    with strict=True, with and without num_batches_tracked, and give the zoo's logits."""
    worst = 0.0
    for name in sorted(f[:-5] for f in os.listdir(folder) if f.endswith('.json')):
        with open(os.path.join(folder, f'{name}.json')) as f:
            dump = json.load(f)
        values = np.fromfile(os.path.join(folder, f'{name}.bin'), dtype=np.float32)
        state = {}
        for entry in dump['index']:
            count = int(np.prod(entry['shape'])) if entry['shape'] else 1
            array = values[entry['offset']:entry['offset'] + count].reshape(entry['shape'])
            state[entry['key']] = torch.from_numpy(array.astype(np.int64) if entry['dtype'] == 'int64' else array.copy())
        model = build(dump['builder'])
        print(name, 'strict, as exported:', model.load_state_dict(state, strict=True), file=sys.stderr)
        plain = {k: v for k, v in state.items() if not k.endswith('num_batches_tracked')}
        print(name, 'strict, without num_batches_tracked:', build(dump['builder']).load_state_dict(plain, strict=True), file=sys.stderr)
        x = formula(dump['input']['key'], dump['input']['shape'], float(dump['input']['centre']), float(dump['input']['halfWidth']))
        with torch.no_grad():
            logits = model(torch.from_numpy(x)).numpy().reshape(-1)
        zoo = np.asarray(dump['logits'], dtype=np.float64)
        error = float(np.abs(zoo - logits).max() / np.abs(logits).max())
        worst = max(worst, error)
        print(f'{name}: max |zoo - torchvision| / max |torchvision| = {error:.2e}', file=sys.stderr)
    if worst > 1e-4:
        sys.exit(f'the exported weights do not give the zoo\'s logits in torchvision (worst {worst:.2e})')


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == '--check-export':
        check_export(sys.argv[2])
    else:
        main()
