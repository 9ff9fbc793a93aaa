"""The ``zwobs`` command: parse arguments, call the parts, set the exit code.

Exit codes: 0 ok, 1 drift or findings over the gate, 2 usage or user error (a missing
extra included), 3 inconclusive (``verify`` only). Each subcommand lives in its own
``_add_<name>`` function so the parts stay independent.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeAlias

from zwobs.extras import MissingExtraError
from zwobs.version import VERSION

__all__ = ["main"]

Handler = Callable[[argparse.Namespace], int]
if TYPE_CHECKING:
    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]


def _parser(command: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zwobs",
        description="Render alerts, dashboards, canary analysis and policies from one service"
        " catalog; gate deployments (verify) and builds (scan).",
        epilog="Exit codes: 0 ok, 1 drift or findings over the gate, 2 usage or user error,"
        " 3 inconclusive (verify).",
    )
    parser.add_argument("--version", action="version", version=f"zwobs {VERSION}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # Only the named command's part is imported: `zwobs verify` never loads the generators,
    # `zwobs render` never loads hvac. Help and usage errors list every command.
    adders = [_COMMANDS[command]] if command in _COMMANDS else dict.fromkeys(_COMMANDS.values())
    for add in adders:
        add(sub)
    return parser


def _add_verify(sub: Subparsers) -> None:
    """``zwobs verify``: the deployment gate (error ratio and latency from a live Prometheus)."""
    from zwobs.verify.command import configure as configure_verify

    configure_verify(
        sub.add_parser(
            "verify",
            help="deployment gate: judge a service's error ratio and latency in Prometheus",
            description="Exit 0 pass, 1 fail, 3 inconclusive (no traffic, Prometheus"
            " unreachable), 2 usage error.",
        )
    )


def _add_scan(sub: Subparsers) -> None:
    """``zwobs scan``: Trivy with the zwobs policy pack, waivers, baseline and a CI gate."""
    from zwobs.scan.command import configure as configure_scan

    configure_scan(
        sub.add_parser(
            "scan",
            help="scan manifests, Dockerfiles and images with Trivy and the zwobs policy pack",
            description="Exit 0 pass, 1 findings over the gate, 2 usage or tool error"
            " (Trivy missing, crashed or timed out; the policy pack not evaluated).",
        )
    )


def _add_catalog(sub: Subparsers) -> None:
    """``zwobs validate``, ``zwobs catalog schema`` and ``zwobs render`` (catalog -> files)."""
    from zwobs.catalog.command import configure_schema, configure_validate
    from zwobs.render.command import configure as configure_render

    configure_validate(
        sub.add_parser(
            "validate",
            help="check a catalog; every problem with file:line:column and field path",
            description="Exit 0 valid, 1 warnings with --strict, 2 invalid catalog.",
        )
    )
    configure_schema(sub.add_parser("catalog", help="catalog utilities (schema)"))
    configure_render(
        sub.add_parser(
            "render",
            help="render alerts, dashboards, rollouts and policies from the catalog",
            description="Exit 0 rendered or up to date, 1 drift (--check), 2 invalid"
            " catalog or unwritable output.",
        )
    )


def _add_secrets(sub: Subparsers) -> None:
    """``zwobs secrets check``: read a secret with this environment's config, print no value."""
    from zwobs.secrets.command import configure as configure_secrets

    configure_secrets(sub.add_parser("secrets", help="check access to Vault/OpenBao secrets"))


_COMMANDS: dict[str, Callable[[Subparsers], None]] = {
    "validate": _add_catalog,
    "catalog": _add_catalog,
    "render": _add_catalog,
    "verify": _add_verify,
    "scan": _add_scan,
    "secrets": _add_secrets,
}


_UNEVALUATED: dict[str, int] = {"verify": 3}
"""The code of "could not evaluate" per command (2 where it has none of its own)."""


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser(arguments[0] if arguments else None).parse_args(arguments)
        handler: Handler = args.handler
        return handler(args)
    except MissingExtraError as error:
        # A command whose part needs an extra that is not installed: a user error, one line.
        print(f"zwobs: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`zwobs render --diff | head`): nothing more to say, and
        # no code that means "drift" or "fail".
        sys.stderr.close()
        return 2
    except Exception as error:  # a bug in zwobs: say so, never exit 1 ("fail", "drift")
        traceback.print_exc()
        print(
            f"zwobs: internal error ({type(error).__name__}), a bug in zwobs: please report"
            " it with the traceback above; the command did not complete",
            file=sys.stderr,
        )
        return _UNEVALUATED.get(arguments[0] if arguments else "", 2)


if __name__ == "__main__":
    sys.exit(main())
