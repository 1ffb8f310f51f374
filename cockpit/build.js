#!/usr/bin/env node
/* build.js - builds the Cockpit page into dist/ with esbuild: one script
 * (src/app.js and its modules), one stylesheet (src/app.css with the
 * PatternFly parts it imports), index.html and manifest.json as they are.
 * dist/ is committed: the package ships it and no build of the C parts
 * needs node. dist/SOURCES records the sha256 of every source file, so that
 * `make` and the tests can tell whether dist/ is older than src/ (written
 * by mk/cockpit.mk, with sha256sum, so that no node is needed to check). */
"use strict";
const esbuild = require("esbuild");
const fs = require("fs");
const path = require("path");

const here = __dirname;
const dist = path.join(here, "dist");

async function main() {
    fs.rmSync(dist, { recursive: true, force: true });
    fs.mkdirSync(dist);
    await esbuild.build({
        entryPoints: { index: path.join(here, "src/app.js") },
        bundle: true,
        format: "iife",
        target: ["es2017"],
        outdir: dist,
        legalComments: "none",
        logLevel: "warning",
    });
    await esbuild.build({
        entryPoints: { index: path.join(here, "src/app.css") },
        bundle: true,
        minify: true,
        outdir: dist,
        external: ["../../static/*"],
        loader: { ".svg": "dataurl" },
        legalComments: "none",
        logLevel: "warning",
    });
    for (const f of ["index.html", "manifest.json"])
        fs.copyFileSync(path.join(here, "src", f), path.join(dist, f));
}

main().catch(err => {
    console.error("build.js: " + err.message);
    process.exit(1);
});
