// A Node ESM app: verifies two ORL photos of one person and one of another through the package.
import { readFile } from 'node:fs/promises';
import { createFaceRecognizer, decodeImage, withEdgeBorder } from 'wgsl-vision';

const [same1, same2, other] = process.argv.slice(2);
// ORL's faces fill the frame: give the detector the context an ordinary photo has.
const photo = async (path) => withEdgeBorder(decodeImage(await readFile(path)), 46, 56);
const recognizer = await createFaceRecognizer();
const same = await recognizer.verify(await photo(same1), await photo(same2));
const different = await recognizer.verify(await photo(same1), await photo(other));
console.log(JSON.stringify({ same, different }));
recognizer.dispose();
process.exit(0);
