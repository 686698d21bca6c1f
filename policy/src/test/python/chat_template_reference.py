#!/usr/bin/env python3
"""Renders chat templates as Hugging Face transformers does, with Jinja2, for ChatTemplateTest.

The environment mirrors transformers' apply_chat_template: an immutable sandbox with trim_blocks
and lstrip_blocks, raise_exception and a tojson filter that is json.dumps(ensure_ascii=False).

Usage: chat_template_reference.py CASES_JSON OUT_JSON
  cases: [{"template", "messages", "add_generation_prompt", "tools"?, "bos_token", "eos_token"}]
  out:   [{"text": ...} or {"error": ...}]
"""
import json
import sys

from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise TemplateError(message)


def main():
    cases_path, out_path = sys.argv[1:3]
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    env.filters["tojson"] = lambda value, indent=None: json.dumps(value, ensure_ascii=False, indent=indent)
    with open(cases_path) as f:
        cases = json.load(f)
    out = []
    for case in cases:
        template = env.from_string(case["template"])
        args = dict(case)
        del args["template"]
        if args.get("tools") is None:
            args.pop("tools", None)
        try:
            out.append({"text": template.render(**args)})
        except TemplateError as e:
            out.append({"error": str(e)})
    with open(out_path, "w") as f:
        json.dump(out, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
