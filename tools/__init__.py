"""Developer tools: code that writes the project's committed files. Not part of the runtime package
(`orchestration` never imports it) and not in the wheel."""
