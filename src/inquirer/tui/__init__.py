"""The Textual TUI: terminal chat over the corpus. The only package that imports textual; it
drives the headless core through inquirer.session and never the other way round."""
