#!/usr/bin/python3
"""A real torchvision checkpoint for the end-to-end import tests (test/fixtures/import/).

Run with the system Python that has PyTorch and torchvision (1.13 / 0.14 here):

    /usr/bin/python3 scripts/references/make-import-fixtures.py

torchvision's MobileNet V2 at width 0.1 with 10 classes, its state_dict filled by the formula of
make-torchvision-references.py and saved by torch.save (the zip format every torchvision file has),
is small enough to commit (about 0.6 MB); its logits on the formula input, computed here by
torchvision, are what `cnn-zoo import` then the zoo's model must give.
"""
import importlib.util
import json
import os

import torch
from torchvision import models

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('references', os.path.join(HERE, 'make-torchvision-references.py'))
references = importlib.util.module_from_spec(spec)
spec.loader.exec_module(references)

OUT = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'import')
os.makedirs(OUT, exist_ok=True)

model = models.mobilenet_v2(width_mult=0.1, num_classes=10).eval()
state, listing = references.formula_state_dict(model)
model.load_state_dict(state)
torch.save(model.state_dict(), os.path.join(OUT, 'mobilenet_v2_w010.pth'))

# 64x64: an even map before every stride-2 layer, where torchvision's padding is not Keras's.
shape = [2, 3, 64, 64]
x = references.formula('input', shape, 0.0, 2.0)
with torch.no_grad():
    logits = model(torch.from_numpy(x)).numpy()
payload = {
    'model': 'mobilenet_v2_w010',
    'builder': 'models.mobilenet_v2(width_mult=0.1, num_classes=10)',
    'versions': {'torch': torch.__version__},
    'generatedBy': 'scripts/references/make-import-fixtures.py',
    'formula': references.FORMULA,
    'tensors': listing,
    'input': {'key': 'input', 'shape': shape, 'centre': 0, 'halfWidth': 2, 'checksum': references.checksum(x)},
    'outputs': {'logits': {'shape': list(logits.shape), 'values': references.float32_list(logits)}},
}
with open(os.path.join(OUT, 'mobilenet_v2_w010.json'), 'w') as f:
    json.dump(payload, f, separators=(',', ':'))
    f.write('\n')
for name in ('mobilenet_v2_w010.pth', 'mobilenet_v2_w010.json'):
    print(name, os.path.getsize(os.path.join(OUT, name)), 'bytes')
