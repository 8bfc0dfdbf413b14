// The bundle a second time, as a page with two widgets from two sources would load it: the first
// copy (components.js) defines the tags, this one says so in the console.
import './components.js';
import '/components/wgsl-vision-components.js?copy=2';
