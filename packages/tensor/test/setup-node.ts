// Node.js only: the Node.js entry installs Dawn as the WebGPU entry point,
// which the suites, importing ../src/index.js, then use. The browser run
// leaves it out and gets navigator.gpu.
import "../src/node.js";
