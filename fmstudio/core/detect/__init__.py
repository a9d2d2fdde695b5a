"""Object detection, the detector family: what is where in a photo, as labelled boxes.

`graph` runs the bundled MobileNetV3-CenterNet (a converted TF.js graph) as a torch module,
`models` loads detectors and turns their outputs into boxes, `detect` is the try-it job,
`results` the boxes it yields and `formats` the box files datasets come in.
"""
