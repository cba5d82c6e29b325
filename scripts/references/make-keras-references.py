#!/usr/bin/python3
"""Reference files for cnn-zoo's Keras weight mapping (test/fixtures/keras/).

Run with the system Python that has PyTorch, numpy and h5py (no TensorFlow or Keras needed):

    /usr/bin/python3 scripts/references/make-keras-references.py

There is no Keras on this machine, so each Keras Applications network the zoo imports is
re-implemented here in PyTorch *as Keras computes it*, from Keras's own sources
(keras/src/applications/{vgg16,vgg19,resnet,mobilenet,mobilenet_v2}.py) and independently of the
zoo's code:

- TF's 'same' padding, which puts the odd pixel at the bottom/right (at stride 2 on an even size:
  0 before, 1 after), written out as an explicit zero pad before a 'valid' convolution;
- Keras's explicit ZeroPadding2D layers: MobileNet's ((0, 1), (0, 1)) before every stride-2
  depthwise whatever the parity; MobileNet V2's correct_pad; ResNet's conv1_pad (3) and pool1_pad
  (1, zeros, then a 3x3/2 max pool);
- BatchNormalization at inference with Keras's epsilons: 1e-3 (MobileNets), 1.001e-5 (ResNet);
- ReLU6 in the MobileNets; Keras ResNet50's stride in the first 1x1 of a block (and in its 1x1
  projection), and its convolution biases;
- VGG's Flatten of the channel-last map (H, W, C) before fc1 (a permute before flattening here);
- MobileNet V1's classifier: global average pool (keepdims), dropout (none at inference), a 1x1
  convolution with bias, a reshape.

Every weight is made by the formula of make-torchvision-references.py (bit-identical in numpy and
JavaScript), keyed by its Keras name (`conv1/kernel`, `conv1_bn/moving_variance`) and made in
Keras's layout (HWIO kernels, (kh, kw, C, M) depthwise kernels, (in, out) Dense kernels); the
network computes in float64 and its outputs are rounded to float32. The fixtures keep only what a
test cannot recompute: each layer as Keras lists it (name, class, its Keras 3 path, its weights
with shapes and checksums), the input and the outputs, in Keras's layout (NHWC for a feature map).

The layers are listed in the order of Keras's `model.layers`, which is the order of Keras 2's
`layer_names` in a weight file and what Keras 3 numbers its `layers/conv2d_N` paths by: Keras sorts
a functional model's layers by depth from the output (deepest first), ties in the order a
depth-first walk from the output over each layer's inputs (in the order they were given) first
reaches them (keras/src/ops/function.py, map_graph). That sort is emulated below on the graph the
reference records as it runs.

Formula roles (KERAS_FORMULA, recorded in every fixture), by the Keras weight name's last part:
kernel 0 +- sqrt(6 / fan_in) with fan_in the product of every axis but the last (kh*kw*in for a
conv, in for a Dense); depthwise_kernel 0 +- sqrt(6 / (kh*kw)); gamma 1 +- 0.25; beta, bias and
moving_mean 0 +- 0.1; moving_variance 1 +- 0.5; the input (key 'input', NCHW) 0 +- 2.

Also written: test/fixtures/keras/mobilenet_v1_0125_no_top.h5, MobileNet V1 at alpha 0.125 without
the top as Keras 2's `save_weights` writes it (root attributes layer_names, backend,
keras_version; a group per layer with its weight_names; datasets `conv1/kernel:0`...; float32),
and the reference feature map of that file's weights. Alpha 0.125 rather than the official 0.25:
the same layers, layout and names as Keras's mobilenet_2_5_*_no_top.h5 at 0.43 MB instead of
1.07 MB (Keras's layout spends about 200 KB on HDF5 groups whatever the width).
"""
import importlib.util
import json
import math
import os
import re
import sys

import h5py
import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('torchvision_references', os.path.join(HERE, 'make-torchvision-references.py'))
references = importlib.util.module_from_spec(spec)
spec.loader.exec_module(references)

OUT = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'keras')

KERAS_FORMULA = {
    'name': 'cnn-zoo formula weights v1, Keras roles',
    'hash': references.FORMULA['hash'],
    'value': references.FORMULA['value'],
    'key': 'the Keras weight name without the :0 suffix (conv1/kernel)',
    'roles': {
        'kernel': {'centre': 0, 'halfWidth': 'sqrt(6 / fan_in), fan_in = product of shape[:-1]'},
        'depthwise_kernel': {'centre': 0, 'halfWidth': 'sqrt(6 / (shape[0] * shape[1]))'},
        'gamma': {'centre': 1, 'halfWidth': 0.25},
        'beta': {'centre': 0, 'halfWidth': 0.1},
        'bias': {'centre': 0, 'halfWidth': 0.1},
        'moving_mean': {'centre': 0, 'halfWidth': 0.1},
        'moving_variance': {'centre': 1, 'halfWidth': 0.5},
        'input': {'centre': 0, 'halfWidth': 2},
    },
}


def keras_role(key, shape):
    """(centre, halfWidth) of a Keras weight name `layer/short`."""
    short = key.rsplit('/', 1)[-1]
    if short == 'kernel':
        return 0.0, float(np.sqrt(6.0 / int(np.prod(shape[:-1]))))
    if short == 'depthwise_kernel':
        return 0.0, float(np.sqrt(6.0 / int(shape[0] * shape[1])))
    fixed = {'gamma': (1.0, 0.25), 'beta': (0.0, 0.1), 'bias': (0.0, 0.1), 'moving_mean': (0.0, 0.1), 'moving_variance': (1.0, 0.5)}
    if short in fixed:
        return fixed[short]
    raise ValueError(f'{key}: no formula role for this Keras weight (shape {list(shape)})')


def snake_case(name):
    """keras.src.utils.naming.to_snake_case: how Keras 3 names a layer's group in a .weights.h5."""
    name = re.sub(r'\W+', '', name)
    name = re.sub('(.)([A-Z][a-z]+)', r'\1_\2', name)
    return re.sub('([a-z])([A-Z])', r'\1_\2', name).lower()


def tf_same(size, kernel, stride):
    """TF's 'same' padding of one axis: (before, after), the odd pixel after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class T:
    """A tensor of the reference network (NCHW, float64) and the Keras layer that made it."""

    def __init__(self, value, layer):
        self.value = value
        self.layer = layer


class KerasNet:
    """Runs a Keras network layer by layer in PyTorch, recording each layer as Keras would list it.

    `weights` is 'formula' (the formula's values) or a dict of given float32 arrays by Keras name.
    """

    def __init__(self, weights='formula'):
        self.source = weights
        self.layers = []  # [name, class, inbound layer names, [(short, array)]] in call order
        self.names = set()

    def _layer(self, name, cls, inputs, weights=()):
        if name in self.names:
            raise ValueError(f'duplicate layer name {name}')
        self.names.add(name)
        self.layers.append({'name': name, 'class': cls, 'inbound': [t.layer for t in inputs], 'weights': list(weights)})
        return name

    def weight(self, layer, short, shape):
        key = f'{layer}/{short}'
        if self.source == 'formula':
            return key, references.formula(key, list(shape), *keras_role(key, shape))
        value = self.source[key]
        assert list(value.shape) == list(shape), (key, value.shape, shape)
        return key, value

    @staticmethod
    def _t(array):
        return torch.from_numpy(np.asarray(array, dtype=np.float64))

    # --- layers ---------------------------------------------------------------------------------

    def input(self, nchw, name='input_1'):
        return T(torch.from_numpy(nchw.astype(np.float64)), self._layer(name, 'InputLayer', []))

    def zero_pad(self, x, pads, name):
        (top, bottom), (left, right) = pads
        return T(F.pad(x.value, (left, right, top, bottom)), self._layer(name, 'ZeroPadding2D', [x]))

    def _same(self, value, kernel, stride):
        top, bottom = tf_same(value.shape[2], kernel, stride)
        left, right = tf_same(value.shape[3], kernel, stride)
        return F.pad(value, (left, right, top, bottom))

    def conv2d(self, x, name, filters, kernel, stride=1, padding='valid', use_bias=True, activation=None):
        channels = x.value.shape[1]
        weights = [self.weight(name, 'kernel', (kernel, kernel, channels, filters))]
        if use_bias:
            weights.append(self.weight(name, 'bias', (filters,)))
        value = self._same(x.value, kernel, stride) if padding == 'same' else x.value
        w = self._t(weights[0][1]).permute(3, 2, 0, 1)  # HWIO -> OIHW
        b = self._t(weights[1][1]) if use_bias else None
        y = F.conv2d(value, w, b, stride=stride)
        if activation == 'relu':  # Keras's `activation=` fused into the layer (VGG)
            y = F.relu(y)
        shorts = ['kernel', 'bias'][:len(weights)]
        return T(y, self._layer(name, 'Conv2D', [x], [(short, value) for short, (_, value) in zip(shorts, weights)]))

    def depthwise(self, x, name, kernel, stride=1, padding='valid', multiplier=1):
        channels = x.value.shape[1]
        _, k = self.weight(name, 'depthwise_kernel', (kernel, kernel, channels, multiplier))
        value = self._same(x.value, kernel, stride) if padding == 'same' else x.value
        # (kh, kw, C, M) -> (C*M, 1, kh, kw): output channel c*M + m reads input channel c.
        w = self._t(k).permute(2, 3, 0, 1).reshape(channels * multiplier, 1, kernel, kernel)
        y = F.conv2d(value, w, None, stride=stride, groups=channels)
        return T(y, self._layer(name, 'DepthwiseConv2D', [x], [('depthwise_kernel', k)]))

    def batch_norm(self, x, name, epsilon):
        channels = x.value.shape[1]
        shorts = ['gamma', 'beta', 'moving_mean', 'moving_variance']
        values = [self.weight(name, short, (channels,))[1] for short in shorts]
        gamma, beta, mean, variance = (self._t(v).view(1, -1, 1, 1) for v in values)
        y = (x.value - mean) / torch.sqrt(variance + epsilon) * gamma + beta
        return T(y, self._layer(name, 'BatchNormalization', [x], list(zip(shorts, values))))

    def relu(self, x, name, cls='Activation'):
        return T(F.relu(x.value), self._layer(name, cls, [x]))

    def relu6(self, x, name):
        return T(torch.clamp(x.value, 0.0, 6.0), self._layer(name, 'ReLU', [x]))

    def add(self, inputs, name):
        return T(sum(t.value for t in inputs), self._layer(name, 'Add', inputs))

    def max_pool(self, x, name, size, stride):
        return T(F.max_pool2d(x.value, size, stride), self._layer(name, 'MaxPooling2D', [x]))

    def global_avg_pool(self, x, name):
        return T(x.value.mean(dim=(2, 3)), self._layer(name, 'GlobalAveragePooling2D', [x]))

    def flatten(self, x, name):
        # Keras flattens the channel-last map: (H, W, C) order.
        return T(x.value.permute(0, 2, 3, 1).reshape(x.value.shape[0], -1), self._layer(name, 'Flatten', [x]))

    def dense(self, x, name, units, activation=None):
        _, kernel = self.weight(name, 'kernel', (x.value.shape[1], units))
        _, bias = self.weight(name, 'bias', (units,))
        y = x.value @ self._t(kernel) + self._t(bias)
        if activation == 'relu':
            y = F.relu(y)
        return T(y, self._layer(name, 'Dense', [x], [('kernel', kernel), ('bias', bias)]))

    def identity(self, x, name, cls):
        """A layer that changes nothing at inference (Dropout) or only the shape (Reshape)."""
        return T(x.value, self._layer(name, cls, [x]))

    # --- Keras's layer order ---------------------------------------------------------------------

    def keras_order(self, output):
        """model.layers as Keras orders them: by depth from the output, deepest first, ties in
        the order a depth-first walk from the output over the inputs first reaches them."""
        by_name = {layer['name']: layer for layer in self.layers}
        indices, post_order, done = {}, [], set()

        def walk(name):
            if name in done:
                return
            indices.setdefault(name, len(indices))
            for parent in by_name[name]['inbound']:
                walk(parent)
            done.add(name)
            post_order.append(name)

        walk(output.layer)
        depth = {}
        for name in reversed(post_order):  # consumers before producers
            d = depth.setdefault(name, 0)
            for parent in by_name[name]['inbound']:
                depth[parent] = max(depth.get(parent, 0), d + 1)
        ordered = sorted(post_order, key=lambda name: (-depth[name], indices[name]))
        assert len(ordered) == len(self.layers), 'a layer the output does not depend on'
        return [by_name[name] for name in ordered]


# --- the networks, after keras/src/applications ---------------------------------------------------

VGG_STAGES = {'vgg16': [2, 2, 3, 3, 3], 'vgg19': [2, 2, 4, 4, 4]}


def vgg(net, x, depth, include_top=True, classes=1000):
    """keras/src/applications/vgg16.py and vgg19.py."""
    for stage, (convs, filters) in enumerate(zip(VGG_STAGES[depth], [64, 128, 256, 512, 512])):
        for i in range(convs):
            x = net.conv2d(x, f'block{stage + 1}_conv{i + 1}', filters, 3, padding='same', activation='relu')
        x = net.max_pool(x, f'block{stage + 1}_pool', 2, 2)
    if include_top:
        x = net.flatten(x, 'flatten')
        x = net.dense(x, 'fc1', 4096, activation='relu')
        x = net.dense(x, 'fc2', 4096, activation='relu')
        x = net.dense(x, 'predictions', classes)  # classifier_activation=None: the logits
    return x


def resnet_block(net, x, filters, stride, conv_shortcut, name):
    """residual_block_v1 of keras/src/applications/resnet.py: the stride in the first 1x1."""
    eps = 1.001e-5
    if conv_shortcut:
        shortcut = net.conv2d(x, f'{name}_0_conv', 4 * filters, 1, stride=stride)
        shortcut = net.batch_norm(shortcut, f'{name}_0_bn', eps)
    else:
        shortcut = x
    y = net.conv2d(x, f'{name}_1_conv', filters, 1, stride=stride)
    y = net.batch_norm(y, f'{name}_1_bn', eps)
    y = net.relu(y, f'{name}_1_relu')
    y = net.conv2d(y, f'{name}_2_conv', filters, 3, padding='same')
    y = net.batch_norm(y, f'{name}_2_bn', eps)
    y = net.relu(y, f'{name}_2_relu')
    y = net.conv2d(y, f'{name}_3_conv', 4 * filters, 1)
    y = net.batch_norm(y, f'{name}_3_bn', eps)
    y = net.add([shortcut, y], f'{name}_add')
    return net.relu(y, f'{name}_out')


def resnet50(net, x, classes=1000):
    """ResNet50 of keras/src/applications/resnet.py (use_bias=True, preact=False)."""
    x = net.zero_pad(x, ((3, 3), (3, 3)), 'conv1_pad')
    x = net.conv2d(x, 'conv1_conv', 64, 7, stride=2)
    x = net.batch_norm(x, 'conv1_bn', 1.001e-5)
    x = net.relu(x, 'conv1_relu')
    x = net.zero_pad(x, ((1, 1), (1, 1)), 'pool1_pad')
    x = net.max_pool(x, 'pool1_pool', 3, 2)
    for stage, (filters, blocks, stride1) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]):
        name = f'conv{stage + 2}'
        x = resnet_block(net, x, filters, stride1, True, f'{name}_block1')
        for i in range(2, blocks + 1):
            x = resnet_block(net, x, filters, 1, False, f'{name}_block{i}')
    x = net.global_avg_pool(x, 'avg_pool')
    return net.dense(x, 'predictions', classes)


MOBILENET_V1_ROWS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]


def mobilenet_v1(net, x, alpha=1.0, include_top=True, classes=1000):
    """keras/src/applications/mobilenet.py: the stem 'same', a stride-2 block ((0, 1), (0, 1)) then 'valid'."""
    eps = 1e-3
    x = net.conv2d(x, 'conv1', int(32 * alpha), 3, stride=2, padding='same', use_bias=False)
    x = net.batch_norm(x, 'conv1_bn', eps)
    x = net.relu6(x, 'conv1_relu')
    for block_id, (filters, stride) in enumerate(MOBILENET_V1_ROWS, start=1):
        if stride == 2:
            x = net.zero_pad(x, ((0, 1), (0, 1)), f'conv_pad_{block_id}')
        x = net.depthwise(x, f'conv_dw_{block_id}', 3, stride=stride, padding='same' if stride == 1 else 'valid')
        x = net.batch_norm(x, f'conv_dw_{block_id}_bn', eps)
        x = net.relu6(x, f'conv_dw_{block_id}_relu')
        x = net.conv2d(x, f'conv_pw_{block_id}', int(filters * alpha), 1, padding='same', use_bias=False)
        x = net.batch_norm(x, f'conv_pw_{block_id}_bn', eps)
        x = net.relu6(x, f'conv_pw_{block_id}_relu')
    if not include_top:
        return x
    pooled = net.global_avg_pool(x, 'global_average_pooling2d')
    pooled = T(pooled.value.view(pooled.value.shape[0], -1, 1, 1), pooled.layer)  # keepdims=True
    x = net.identity(pooled, 'dropout', 'Dropout')
    x = net.conv2d(x, 'conv_preds', classes, 1, padding='same')
    x = T(x.value.reshape(x.value.shape[0], classes), x.layer)
    x = net.identity(x, 'reshape_2', 'Reshape')
    return net.identity(x, 'predictions', 'Activation')  # classifier_activation=None


def make_divisible(v, divisor=8, min_value=None):
    """_make_divisible of keras/src/applications/mobilenet_v2.py."""
    min_value = min_value or divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def correct_pad(size, kernel):
    """imagenet_utils.correct_pad for a (height, width)."""
    return tuple((kernel // 2 - (1 - n % 2), kernel // 2) for n in size)


MOBILENET_V2_ROWS = [(16, 1, 1, 1), (24, 6, 2, 2), (32, 6, 3, 2), (64, 6, 4, 2), (96, 6, 3, 1), (160, 6, 3, 2), (320, 6, 1, 1)]


def mobilenet_v2(net, x, alpha=1.0, include_top=True, classes=1000):
    """keras/src/applications/mobilenet_v2.py."""
    eps = 1e-3
    x = net.conv2d(x, 'Conv1', make_divisible(32 * alpha), 3, stride=2, padding='same', use_bias=False)
    x = net.batch_norm(x, 'bn_Conv1', eps)
    x = net.relu6(x, 'Conv1_relu')
    block_id = 0
    for filters, expansion, repeats, first_stride in MOBILENET_V2_ROWS:
        for r in range(repeats):
            stride = first_stride if r == 0 else 1
            inputs = x
            in_channels = x.value.shape[1]
            out_channels = make_divisible(int(filters * alpha))
            prefix = f'block_{block_id}_' if block_id else 'expanded_conv_'
            if block_id:
                x = net.conv2d(x, f'{prefix}expand', expansion * in_channels, 1, padding='same', use_bias=False)
                x = net.batch_norm(x, f'{prefix}expand_BN', eps)
                x = net.relu6(x, f'{prefix}expand_relu')
            if stride == 2:
                x = net.zero_pad(x, correct_pad(x.value.shape[2:], 3), f'{prefix}pad')
            x = net.depthwise(x, f'{prefix}depthwise', 3, stride=stride, padding='same' if stride == 1 else 'valid')
            x = net.batch_norm(x, f'{prefix}depthwise_BN', eps)
            x = net.relu6(x, f'{prefix}depthwise_relu')
            x = net.conv2d(x, f'{prefix}project', out_channels, 1, padding='same', use_bias=False)
            x = net.batch_norm(x, f'{prefix}project_BN', eps)
            if in_channels == out_channels and stride == 1:
                x = net.add([inputs, x], f'{prefix}add')
            block_id += 1
    last = make_divisible(1280 * alpha) if alpha > 1.0 else 1280
    x = net.conv2d(x, 'Conv_1', last, 1, use_bias=False)
    x = net.batch_norm(x, 'Conv_1_bn', eps)
    x = net.relu6(x, 'out_relu')
    if not include_top:
        return x
    x = net.global_avg_pool(x, 'global_average_pooling2d')
    return net.dense(x, 'predictions', classes)


# --- fixtures -------------------------------------------------------------------------------------

# name, zoo builder options, the Keras call it stands for, the network, input [N, C, H, W]. The
# sizes are small and chosen for what they exercise: VGG with its top at 64x96 (fc1 reads a 2x3x512
# map: the channel-last flattening, rows apart from columns); ResNet-50 at 72x104, whose strided 1x1
# convolutions meet odd maps (9, 5; 13, 7); MobileNet V1 at 121x90, an odd input under the 'same'
# stem then odd maps under the ((0, 1), (0, 1)) pads (15x11 -> 7x5 where 'same' would give 8x6);
# MobileNet V2 at 99x76, correct_pad on even and odd maps (50x38, 25x19, 13x10, 7x5).
MODELS = [
    ('vgg16', {'inputShape': [64, 96, 3]}, 'VGG16(weights=None, input_shape=(64, 96, 3), classifier_activation=None)',
     lambda net, x: vgg(net, x, 'vgg16'), [2, 3, 64, 96]),
    ('vgg19', {'inputShape': [64, 96, 3]}, 'VGG19(weights=None, input_shape=(64, 96, 3), classifier_activation=None)',
     lambda net, x: vgg(net, x, 'vgg19'), [2, 3, 64, 96]),
    ('resnet50', {'inputShape': [72, 104, 3], 'variant': 'keras'}, 'ResNet50(weights=None, input_shape=(72, 104, 3), classifier_activation=None)',
     resnet50, [2, 3, 72, 104]),
    ('mobilenetV1', {'inputShape': [121, 90, 3]}, 'MobileNet(weights=None, input_shape=(121, 90, 3), classifier_activation=None)',
     mobilenet_v1, [2, 3, 121, 90]),
    ('mobilenetV2', {'inputShape': [99, 76, 3]}, 'MobileNetV2(weights=None, input_shape=(99, 76, 3), classifier_activation=None)',
     mobilenet_v2, [2, 3, 99, 76]),
]


def header(name):
    return {
        'model': name,
        'versions': {'torch': torch.__version__, 'numpy': np.__version__, 'h5py': h5py.__version__},
        'generatedBy': 'scripts/references/make-keras-references.py',
        'formula': KERAS_FORMULA,
    }


def keras3_paths(layers):
    """Keras 3's group of each layer in a .weights.h5: layers/<snake_case class>[_n], numbered per
    class in model.layers order (saving_lib._save_container_state)."""
    used, paths = {}, []
    for layer in layers:
        name = snake_case(layer['class'])
        if name in used:
            used[name] += 1
            name = f'{name}_{used[name]}'
        else:
            used[name] = 0
        paths.append(f'layers/{name}')
    return paths


def layer_listing(layers):
    """[name, class, keras 3 path, [[weight name, shape, checksum], ...]] per layer, in Keras's order."""
    return [
        [layer['name'], layer['class'], path, [[f"{layer['name']}/{short}:0", list(value.shape), references.checksum(value)] for short, value in layer['weights']]]
        for layer, path in zip(layers, keras3_paths(layers))
    ]


def nhwc(value):
    return value.permute(0, 2, 3, 1) if value.dim() == 4 else value


def run(build, input_shape, weights='formula'):
    net = KerasNet(weights)
    x = references.formula('input', input_shape, 0.0, 2.0)
    with torch.no_grad():
        y = build(net, net.input(x))
    out = nhwc(y.value).numpy().astype(np.float32)
    return net, y, x, out


def write(name, payload):
    path = os.path.join(OUT, f'{name}.json')
    with open(path, 'w') as f:
        json.dump(payload, f, separators=(',', ':'))
        f.write('\n')
    print(f'{path}: {os.path.getsize(path)} bytes', file=sys.stderr)


def input_entry(x, input_shape):
    return {'key': 'input', 'shape': input_shape, 'layout': 'NCHW', 'centre': 0, 'halfWidth': 2, 'checksum': references.checksum(x)}


def output_entry(out):
    return {'shape': list(out.shape), 'layout': 'NHWC' if out.ndim == 4 else 'NC', 'values': references.float32_list(out)}


def stats(out):
    difference = out[0] - out[1]
    return {'maxAbs': float(np.abs(out).max()), 'std': float(out.std()), 'imageDifferenceMaxAbs': float(np.abs(difference).max())}


def model_fixtures():
    for name, options, keras_call, build, input_shape in MODELS:
        net, y, x, out = run(build, input_shape)
        layers = net.keras_order(y)
        payload = header(name)
        payload.update({
            'zooOptions': options,
            'keras': f'keras.applications.{keras_call}',
            'layers': layer_listing(layers),
            'input': input_entry(x, input_shape),
            'outputs': {'logits': output_entry(out)},
            'stats': {'logits': stats(out)},
        })
        write(name, payload)


# --- a real Keras weight file ---------------------------------------------------------------------

H5_NAME = 'mobilenet_v1_0125_no_top'


def save_attributes(group, name, names):
    """As Keras 2's save_attributes_to_hdf5_group: an array of fixed-length byte strings (an empty
    list is an empty float64 array, which is what np.asarray([]) gives)."""
    group.attrs[name] = np.asarray([n.encode('utf8') for n in names])


def write_keras_h5(path, layers):
    """Keras 2's save_weights_to_hdf5_group, layer by layer in model.layers order."""
    with h5py.File(path, 'w') as f:
        save_attributes(f, 'layer_names', [layer['name'] for layer in layers])
        f.attrs['backend'] = b'tensorflow'
        f.attrs['keras_version'] = b'2.13.1'
        for layer in layers:
            group = f.create_group(layer['name'])
            names = [f"{layer['name']}/{short}:0" for short, _ in layer['weights']]
            save_attributes(group, 'weight_names', names)
            for weight_name, (_, value) in zip(names, layer['weights']):
                dataset = group.create_dataset(weight_name, value.shape, dtype='<f4')
                dataset[...] = value


def read_keras_h5(path):
    """The file read back as Keras's load_weights would: layer_names, then weight_names in order."""
    values = {}
    with h5py.File(path, 'r') as f:
        for layer_name in [n.decode() for n in f.attrs['layer_names']]:
            group = f[layer_name]
            for weight_name in [n.decode() for n in group.attrs['weight_names']]:
                short = weight_name.split('/')[-1].split(':')[0]
                values[f'{layer_name}/{short}'] = group[weight_name][()]
    return values


def h5_fixture():
    """MobileNet V1, alpha 0.125, no top, its weights by the formula; the reference is computed
    from the file read back."""
    build = lambda net, x: mobilenet_v1(net, x, alpha=0.125, include_top=False)
    net, y, _, _ = run(build, [1, 3, 32, 32])
    layers = net.keras_order(y)
    path = os.path.join(OUT, f'{H5_NAME}.h5')
    write_keras_h5(path, layers)
    print(f'{path}: {os.path.getsize(path)} bytes', file=sys.stderr)
    # 80x64: the 5x4 map before block 12 is odd in height, where ((0, 1), (0, 1)) is not 'same'.
    input_shape = [2, 3, 80, 64]
    _, y2, x, out = run(build, input_shape, weights=read_keras_h5(path))
    payload = header(H5_NAME)
    payload.update({
        'file': f'{H5_NAME}.h5',
        'zooOptions': {'alpha': 0.125, 'includeTop': False, 'inputShape': [80, 64, 3]},
        'keras': 'keras.applications.MobileNet(weights=None, alpha=0.125, include_top=False, input_shape=(80, 64, 3)), save_weights in Keras 2 h5 format',
        'layers': layer_listing(layers),
        'input': input_entry(x, input_shape),
        'outputs': {'features': output_entry(out)},
        'stats': {'features': stats(out)},
    })
    write(H5_NAME, payload)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    model_fixtures()
    h5_fixture()
    total = sum(os.path.getsize(os.path.join(OUT, name)) for name in os.listdir(OUT))
    print(f'test/fixtures/keras: {total} bytes in all', file=sys.stderr)


if __name__ == '__main__':
    main()
