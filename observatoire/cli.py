"""One French command-line parser for every program of the observatory (`python -m loaders`, `indicators`,
`exports`, `contract.accounts`, `contract.demo`, the templates, the bench scripts…).

argparse writes its own words (« usage: », « positional arguments », « show this help message and exit »,
« the following arguments are required ») through a module-level gettext `_` bound at import, without a
French catalogue. ArgumentParser below swaps in the French wording only while one of its methods runs (then
puts argparse's back), so another library's parser in the same process is left as it is. Section headings
end with « : » after a space, the French way. Type errors name the expected value in French.
"""
from __future__ import annotations

import argparse
from contextlib import contextmanager
from typing import Iterator

FRENCH = {
    "usage: ": "usage : ",
    # argparse writes a heading as « %s: »: the trailing space gives the French « arguments : ».
    "positional arguments": "arguments ",
    "options": "options ",
    "optional arguments": "options ",
    "subcommands": "sous-commandes ",
    "show this help message and exit": "affiche cette aide et quitte",
    "show program's version number and exit": "affiche la version et quitte",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "the following arguments are required: %s": "argument(s) obligatoire(s) manquant(s) : %s",
    "unrecognized arguments: %s": "argument(s) non reconnu(s) : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix « %(value)s » invalide (choix possibles : %(choices)s)",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "commande « %(parser_name)s » inconnue (choix possibles : %(choices)s)",
    "expected one argument": "une valeur est attendue après cette option",
    "expected at most one argument": "au plus une valeur est attendue",
    "expected at least one argument": "au moins une valeur est attendue",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut désigner %(matches)s",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "ignored explicit argument %r": "valeur « %s » ignorée",
    "one of the arguments %s is required": "un des arguments %s est obligatoire",
    "unexpected option string: %s": "option inattendue : %s",
    "can't open '%(filename)s': %(error)s": "impossible d'ouvrir « %(filename)s » : %(error)s",
    "cannot have multiple subparser arguments": "un seul groupe de sous-commandes est possible",
}
PLURALS = {("expected %s argument", "expected %s arguments"): ("%s valeur attendue", "%s valeurs attendues")}
TYPE_NAMES = {"int": "un nombre entier", "float": "un nombre", "Path": "un chemin de fichier", "str": "un texte"}


def _fr(message: str) -> str:
    return FRENCH.get(message, message)


def _fr_n(singular: str, plural: str, n: int) -> str:
    one, many = PLURALS.get((singular, plural), (singular, plural))
    return one if n == 1 else many


@contextmanager
def french() -> Iterator[None]:
    """argparse speaks French inside the block (and its own language again afterwards)."""
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = _fr, _fr_n
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


class ArgumentParser(argparse.ArgumentParser):
    """argparse.ArgumentParser whose help, usage and errors are French (subcommands use the same class)."""

    def __init__(self, *args, **kwargs):
        with french():
            super().__init__(*args, **kwargs)

    def add_subparsers(self, **kwargs):
        kwargs.setdefault("parser_class", ArgumentParser)
        with french():
            return super().add_subparsers(**kwargs)

    def parse_args(self, args=None, namespace=None):
        with french():
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        with french():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with french():
            return super().format_usage()

    def format_help(self) -> str:
        with french():
            return super().format_help()

    def error(self, message: str):
        with french():
            super().error(message)

    def _check_value(self, action, value):
        if action.choices is not None and value not in action.choices:
            choices = ", ".join(f"« {c} »" for c in action.choices)
            raise argparse.ArgumentError(action, f"choix « {value} » invalide (choix possibles : {choices})")

    def _get_value(self, action, arg_string):
        """A value of the wrong type: « valeur « x » invalide (attendu : un nombre entier) »."""
        type_func = self._registry_get("type", action.type, action.type)
        try:
            return type_func(arg_string)
        except argparse.ArgumentTypeError as err:
            raise argparse.ArgumentError(action, str(err)) from None
        except (TypeError, ValueError):
            name = getattr(type_func, "__name__", repr(type_func))
            raise argparse.ArgumentError(
                action, f"valeur « {arg_string} » invalide (attendu : {TYPE_NAMES.get(name, name)})") from None
