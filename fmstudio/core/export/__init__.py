"""Models that leave the app (ONNX, TorchScript) and the fast graphs the jobs run on the CPU."""
