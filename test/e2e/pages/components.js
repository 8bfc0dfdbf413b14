// The components as a site loads them, after the recorder of their events so that it hears every
// one (a module's imports run in order, each before the module that imports it).
import './record-events.js';
import '/components/wgsl-vision-components.js';
