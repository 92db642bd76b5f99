// Unit tests of the fields a choice fills with a default until the user edits them (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";

/** Bundles one TypeScript module and imports it. */
async function load(entry) {
  const { outputFiles } = await build({ entryPoints: [entry], bundle: true, format: "esm", write: false });
  return import("data:text/javascript;base64," + Buffer.from(outputFiles[0].text).toString("base64"));
}

const { Defaulted } = await load("src/defaulted.ts");

test("an untouched field takes every default offered", () => {
  const name = new Defaulted("");
  assert.equal(name.offer("reference"), true);
  assert.equal(name.value, "reference");
  assert.equal(name.offer("other-folder"), true);
  assert.equal(name.value, "other-folder");
  assert.equal(name.touched, false);
});

test("a default arriving after the user typed neither overwrites nor joins the typed text", () => {
  const name = new Defaulted("");
  name.offer("reference");
  // The user replaces the folder's name key by key; the next folder's name lands midway.
  for (const text of ["M", "My", "My-"]) name.edit(text);
  assert.equal(name.offer("reference"), false);
  for (const text of ["My-R", "My-Reference"]) name.edit(text);
  assert.equal(name.offer("late-folder"), false);
  assert.equal(name.value, "My-Reference");
  assert.equal(name.touched, true);
});

test("erasing is an edit: a default landing in the emptied field stays out of it", () => {
  const name = new Defaulted("");
  name.offer("reference");
  name.edit("");
  assert.equal(name.offer("reference"), false);
  assert.equal(name.value, "");
  name.edit("My-Reference");
  assert.equal(name.value, "My-Reference");
});

test("reset starts the field over: it keeps the given value and takes defaults again until edited", () => {
  const dataset = new Defaulted("My-Exposures");
  dataset.edit("Desk-A");
  dataset.reset(dataset.value);
  assert.equal(dataset.value, "Desk-A");
  assert.equal(dataset.touched, false);
  assert.equal(dataset.offer("Team-Desk"), true);
  assert.equal(dataset.value, "Team-Desk");
  // Typed during the next switch: the place's default does not replace it.
  dataset.reset(dataset.value);
  dataset.edit("Desk-B");
  assert.equal(dataset.offer("Team-Desk"), false);
  assert.equal(dataset.value, "Desk-B");
});
