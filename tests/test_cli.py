"""The command line as a careless or new user meets it: every mistake is one line that says what
is wrong and what to do, with exit code 1 (2 for a usage error, as argparse), never a traceback."""
from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest

from analyzer.cli import SUBCOMMANDS, build_parser, main
from reference_impl.cluster import ETCD_PEERS_ANY_PORT


@pytest.mark.parametrize("argv, unrecognized", [
    (["find", "app", "--bogus"], "--bogus"), (["callers", "app.main", "--dpeth", "2"],
                                              "--dpeth 2; did you mean --depth?"),
    (["index", "--bogus"], "--bogus"), (["site", "--outt", "x"], "--outt x; did you mean --out?"),
    (["show", "app.main", "--jsno"], "--jsno; did you mean --json?"),
    (["show", "app.main", "-f", "json"], "-f json; did you mean --json?"),
    (["find", "app", "--format=json"], "--format=json; did you mean --json?"),
    (["callees", "app.main", "--json"], "--json; did you mean -f json?"),
])
def test_an_unknown_option_points_at_its_commands_help(argv, unrecognized, capsys):
    """`kubeatlas find app --bogus`: the options a command takes are listed by its own --help,
    not by `kubeatlas --help`, which lists only the commands; a mistyped one is named."""
    with pytest.raises(SystemExit) as exit:
        main(argv)
    err = capsys.readouterr().err
    assert exit.value.code == 2
    assert err == (f"kubeatlas: error: unrecognized arguments: {unrecognized} "
                   f"(see `kubeatlas {argv[0]} --help`)\n")


@pytest.mark.parametrize("argv, value_at", [(["find", "x", "--limit", "9" * 5000], "--limit"),
                                             (["find", "x", "--repo", "k" * 5000], "--repo"),
                                             (["k" * 5000], "COMMAND")])
def test_a_bad_value_pasted_by_the_screenful_is_cut_in_the_error(argv, value_at, capsys):
    """argparse quoted a bad value whole: 5,000 characters of it filled the terminal."""
    with pytest.raises(SystemExit) as exit:
        main(argv)
    err = capsys.readouterr().err
    assert exit.value.code == 2
    assert value_at in err and "… (5,000 characters)" in err
    assert len(err) < 400 and err.count("\n") == 1


@pytest.mark.parametrize("argv, code", [
    (["component", "k" * 5000], 2), (["index", "k" * 5000], 2),
    (["site", "--out", "/tmp/" + "k" * 5000], 2),  # a folder that cannot be: a usage error
    (["fetch", "etcd", "--from", "/tmp/" + "k" * 5000, "--ref", "v1"], 1),
])
def test_a_value_pasted_by_the_screenful_is_cut_in_any_error_line(argv, code, tmp_path, capsys):
    """Cut in argparse's errors, a pasted value still came back whole in the command's own
    error (unknown component, unknown repository, a path too long for the file system)."""
    assert main([*argv, "--home", str(tmp_path / "home")]) == code
    err = capsys.readouterr().err
    assert err.startswith("kubeatlas: error: ") and "… (5,0" in err
    assert len(err) < 400 and err.count("\n") == 1


def test_journeys_without_a_kubernetes_index_say_so_once(etcd_repo, tmp_path, capsys):
    """With only etcd indexed, `journeys` listed every step of every journey as "not in the
    index", hundreds of lines, instead of the one thing to do."""
    home = ["--home", str(tmp_path / "home")]
    assert main(["fetch", "etcd", "--from", str(etcd_repo), "--ref", "HEAD", "-q", *home]) == 0
    assert main(["index", "-q", "--no-goroot", *home]) == 0
    capsys.readouterr()
    assert main(["journeys", *home]) == 1
    assert capsys.readouterr() == ("", (
        f"kubeatlas: error: index {tmp_path / 'home' / 'index.sqlite'}: holds no kubernetes "
        "commit, whose functions the journeys' steps name: fetch and index kubernetes\n"))


@pytest.mark.parametrize("argv", [["--version"], ["-V"]])
def test_version_prints_the_installed_version(argv, capsys):
    """`kubeatlas --version`, the first thing many try, was told that "--version comes before
    the command: options follow it", though no command takes it."""
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 0
    assert capsys.readouterr().out == f"kubeatlas {version('kubeatlas')}\n"


def test_the_etcds_unknown_flag_is_refused_in_go_flags_words(capsys):
    """As etcd 3.4's flag package says it (exit 2): one dash, whatever the user typed."""
    assert main(["run", "etcd", "--bogus"]) == 2
    assert capsys.readouterr().err == "flag provided but not defined: -bogus\n"


@pytest.mark.parametrize("component", ["apiserver", "controller-manager", "scheduler", "kubelet", "proxy"])
def test_a_kubernetes_components_unknown_flag_is_refused_in_pflags_words(component, capsys):
    """As the real kube-apiserver, kube-scheduler and kube-proxy say it, naming no command at all."""
    assert main(["run", component, "--bogus"]) == 1
    assert capsys.readouterr().err == "Error: unknown flag: --bogus\n"


@pytest.mark.parametrize("argv, message", [
    (["--bogus", "find", "x"], "unrecognized option --bogus"),
    (["--hom", "/tmp"], "unrecognized option --hom; did you mean --home?"),
    (["--home=/tmp", "find", "x"], "--home=/tmp comes before the command: options follow it, "
                                   "as in `kubeatlas find --home DIR PATTERN`"),
])
def test_a_leading_option_is_told_apart_from_one_no_command_takes(argv, message, capsys):
    """`kubeatlas --bogus find x` was told "--bogus comes before the command", as if some
    command took it."""
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2
    assert capsys.readouterr().err == f"kubeatlas: error: {message} (see `kubeatlas --help`)\n"


def test_run_without_a_component_asks_for_the_component_only(capsys):
    """`kubeatlas run` said "required: component, options", though a component needs no options."""
    with pytest.raises(SystemExit) as exit:
        main(["run"])
    assert exit.value.code == 2
    assert "required: component (" in capsys.readouterr().err


@pytest.mark.parametrize("error, remedy", [
    (PermissionError(13, "Permission denied", "/srv/kubeatlas/index.sqlite"),
     "give this user access to it, or give --home (or $KUBEATLAS_HOME) a folder of its own"),
    (OSError(30, "Read-only file system", "/srv/kubeatlas/index.sqlite"),
     "give --home (or $KUBEATLAS_HOME) a folder on a writable file system"),
])
def test_a_home_this_user_cannot_write_says_what_to_do(error, remedy, monkeypatch, capsys):
    """A home owned by another user (or on a read-only mount) said only "Permission denied"
    (tests run as root, which permissions do not stop, so the query meets the error here)."""
    import analyzer.cli

    def refuse(args):
        raise error

    monkeypatch.setattr(analyzer.cli, "_graph_index", refuse)
    assert main(["find", "app"]) == 1
    assert capsys.readouterr().err == (f"kubeatlas: error: /srv/kubeatlas/index.sqlite: {error.strerror}: "
                                       f"{remedy}\n")


@pytest.mark.parametrize("make, problem", [
    (lambda path: None, "no such folder"),
    (lambda path: path.write_text("{}"), "a file, not a folder"),
])
def test_a_journeys_dir_that_is_no_folder_is_named_as_the_problem(make, problem, tmp_path, capsys):
    """`kubeatlas journeys --dir DIR` with a DIR that is missing or a file said "no index yet"
    (the index was opened first), or with an index "no journeys (*.json) in DIR"."""
    journeys = tmp_path / "journeys"
    make(journeys)
    assert main(["journeys", "--dir", str(journeys), "--home", str(tmp_path / "home")]) == 2
    assert capsys.readouterr().err == f"kubeatlas: error: --dir {journeys}: {problem}\n"


@pytest.mark.parametrize("argv, near", [
    (["fnid", "app"], "'find'"), (["callees", "app.main", "-f", "jsno"], "'json'"),
    (["show", "app.main", "--repo", "kubernets"], "'kubernetes'"), (["run", "etdc"], "'etcd'"),
    (["cluster", "upp"], "'up'"), (["site", "--repo", "Etcd"], "'etcd'"),
    (["index", "kubernets"], "'kubernetes'"), (["index", "--goos", "linx"], "'linux'"),
    (["index", "--goarch", "amd46"], "'amd64'"), (["component", "kube-schedulr"], "'kube-scheduler'"),
    (["callees", "app.main", "--kinds", "statc"], "'static'"),
    (["cluster", "up", "--only", "etcd,apisrver"], "'apiserver'"),
    (["cluster", "up", "--upstream", "schedular=/bin/true"], "'scheduler'"),
    (["cluster", "up", "--upstream", "kube-scheduler=/bin/true"], "'scheduler'"),
])
def test_a_mistyped_name_is_answered_with_the_near_one(argv, near, tmp_path, capsys):
    """`kubeatlas fnid`, `-f jsno`, `--goos linx`: the error listed every choice, leaving the
    user to spot the one they meant; it names the near one first, in the same one line."""
    try:
        code = main([*argv, "--home", str(tmp_path / "home")])
    except SystemExit as exit:
        code = exit.code
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert f": did you mean {near}? (choose from " in err


@pytest.mark.parametrize("command", sorted(SUBCOMMANDS))
def test_each_commands_help_says_what_it_does_with_examples_that_parse(command, capsys):
    """`kubeatlas callers --help` described the options but showed no command line to start
    from. Each command's help has its description and examples, kept whole on their lines
    however narrow the terminal, and every example is a command line that command accepts."""
    with pytest.raises(SystemExit) as exit:
        main([command, "--help"])
    out = capsys.readouterr().out
    assert exit.value.code == 0
    description = out.split("\n\n")[1]
    assert len(description.split()) >= 5
    lines = out.split("\nexamples:\n", 1)[1].splitlines()
    assert lines and all(line.startswith(f"  kubeatlas {command}") for line in lines)
    for line in lines:
        words = shlex.split(line.split(" | ")[0].split(" > ")[0], comments=True)
        assert build_parser(command).parse_args(words[1:]).command == command


@pytest.mark.parametrize("argv, meant", [
    (["callees", "x", "--dep", "3"], "--depth"),
    (["path", "a", "b", "--thr", "c"], "--through"),
    (["find", "x", "--lim", "3"], "--limit"),
])
def test_an_abbreviated_option_is_refused_and_the_whole_one_named(argv, meant, capsys):
    """argparse took `--dep` for --depth: a script written so would break, or change meaning,
    the day another option starting `--dep` is added. An option is spelled whole; the error
    line names it."""
    with pytest.raises(SystemExit) as exit:
        main(argv)
    err = capsys.readouterr().err
    assert exit.value.code == 2 and err.count("\n") == 1
    assert f"unrecognized arguments: {argv[-2]} {argv[-1]}; did you mean {meant}?" in err


@pytest.mark.parametrize("argv, hint", [
    (["find", "x", "-d", "2"], "find takes no -d: it is an option of callees, callers and component"),
    (["find", "x", "-d2"], "find takes no -d: it is an option of callees, callers and component"),
    (["path", "a", "b", "--depth", "3"], "path takes no --depth: it is an option of callees, "
                                         "callers and component"),
    (["callees", "x", "-n", "3"], "callees takes no -n: it is an option of path and find"),
    (["show", "x", "--through", "y"], "show takes no --through: it is an option of path"),
    (["index", "--repo", "etcd"], "index names repositories as words, not with --repo: "
                                  "`kubeatlas index etcd`"),
    (["fetch", "--repo=etcd"], "fetch names repositories as words, not with --repo: "
                               "`kubeatlas fetch etcd`"),
])
def test_an_option_of_another_command_says_which_commands_take_it(argv, hint, capsys):
    """`find x -d 2`, `callees x -n 3` and `index --repo etcd` said only 'unrecognized
    arguments', as for a typo: the option is real, and the line says where it belongs."""
    with pytest.raises(SystemExit) as exit:
        main(argv)
    err = capsys.readouterr().err
    assert exit.value.code == 2 and err.count("\n") == 1
    assert f"; {hint} (see `kubeatlas {argv[0]} --help`)" in err


@pytest.mark.parametrize("command, shown", [
    ("fetch", "separated by tabs"), ("index", "--json prints"), ("callees", "[KIND] CALLEE"),
    ("callers", "[KIND] CALLER"), ("path", "→ CALLEE"), ("find", "exits 1"),
    ("show", "source permalink"), ("component", "tree per entrypoint"), ("site", "summary"),
    ("check", "MISSING"), ("journeys", "line per journey")])
def test_each_answering_commands_help_says_what_its_output_looks_like(command, shown, capsys):
    """Read as a newcomer, `callees --help` never said what a line of the tree means (the kind
    in brackets, the call site after the name), `find --help` that no match exits 1, `fetch
    --help` what its tab-separated line holds: each says so before its examples."""
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    section = out.split("\noutput:\n", 1)[1].split("\nexamples:\n", 1)[0]
    assert shown in " ".join(section.split())


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_argument_of_every_command_says_what_it_is(command):
    """`kubeatlas path --help` listed FROM and TO, and `cluster --help` {up,status,down}, with
    nothing beside them: each argument and option has its line of help."""
    parser = build_parser(command)
    sub = next(action for action in parser._actions if action.dest == "command").choices[command]
    unexplained = [action.option_strings or action.metavar or action.dest
                   for action in sub._actions if not action.help]
    assert unexplained == []


def test_examples_are_not_wrapped_on_a_narrow_terminal(monkeypatch, capsys):
    """argparse fills help text to the terminal's width: an example cut in two cannot be copied."""
    monkeypatch.setenv("COLUMNS", "40")
    with pytest.raises(SystemExit):
        main(["path", "--help"])
    assert ("  kubeatlas path kube-scheduler.main 'scheduler.(*Scheduler).scheduleOne' -n 3 "
            "--min-confidence 0.5\n") in capsys.readouterr().out


@pytest.mark.parametrize("inside", [False, True])
def test_a_data_dir_that_is_a_file_is_named_as_the_problem(inside, tmp_path, capsys):
    """`kubeatlas run etcd --data-dir FILE` said "File exists", as if the folder were in the
    way rather than a file where the folder should be."""
    file = tmp_path / "notes.txt"
    file.write_text("mine\n")
    data_dir = file / "etcd" if inside else file
    assert main(["run", "etcd", "--data-dir", str(data_dir), "--listen-client-urls", "http://127.0.0.1:0",
                 *ETCD_PEERS_ANY_PORT]) == 1
    where = "a folder above it is" if inside else "it is"
    assert capsys.readouterr().err.endswith(f"--data-dir {data_dir}: {where} a file: give a folder\n")
    assert file.read_text() == "mine\n"


def test_a_bare_etcd_name_is_looked_up_on_path_as_a_shell_would(tmp_path, monkeypatch, capsys):
    """`kubeatlas cluster up --etcd etcd` was refused as "neither 'reference' nor an executable
    file" while `etcd` ran fine from the same shell: the name was read as ./etcd."""
    from reference_impl import cluster

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "etcd").write_text("#!/bin/sh\n")
    (bin_dir / "etcd").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.chdir(tmp_path)
    asked = []

    def up(directory, kubelets, only, grace, upstream, etcd, members):
        asked.append(etcd)
        raise cluster.ClusterError("not started in this test")

    monkeypatch.setattr(cluster, "up", up)
    assert main(["cluster", "up", "--dir", str(tmp_path / "cluster"), "--etcd", "etcd"]) == 1
    assert asked == [bin_dir / "etcd"]


@pytest.mark.parametrize("argv, same_as", [
    (["help"], ["--help"]), (["help", "find"], ["find", "--help"]), (["version"], ["--version"]),
    (["help", "help"], ["--help"]),  # was "invalid choice: 'help'"
])
def test_help_and_version_are_also_words_as_git_and_kubectl_take_them(argv, same_as, capsys):
    """`kubeatlas help find` and `kubeatlas version` were "invalid choice: 'help'"."""
    outputs = []
    for words in (argv, same_as):
        with pytest.raises(SystemExit) as exit:
            main(words)
        assert exit.value.code == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] and outputs[0]


@pytest.mark.parametrize("argv, line", [
    (["help", "find", "extra"], "help takes one COMMAND, not find extra"),
    (["version", "extra"], "version takes no argument, not extra"),
])
def test_help_and_version_given_more_words_say_what_they_take(argv, line, capsys):
    """`kubeatlas help find extra` dropped the extra word unsaid, and `kubeatlas version x` was
    "invalid choice: 'version'", though `kubeatlas version` is one."""
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2
    assert capsys.readouterr() == ("", f"kubeatlas: error: {line} (see `kubeatlas --help`)\n")


@pytest.mark.parametrize("argv", [["journeys", "--dir=~/journeys"],
                                  ["cluster", "status", "--dir=~/cluster"]])
def test_a_tilde_after_an_equals_sign_is_the_home_folder(argv, tmp_path, monkeypatch, capsys):
    """`--dir=~/journeys` reaches kubeatlas unexpanded (a shell expands `~` only at a word's
    start), and was taken for a folder named `~` in the current one."""
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.chdir(tmp_path)
    main([*argv, "--home", str(tmp_path / "ka")])
    assert str(tmp_path / "user") in capsys.readouterr().err


def test_an_index_and_a_site_given_tilde_paths_use_the_home_folder(kube_repo, tmp_path,
                                                                    monkeypatch, capsys):
    """`index --goroot=~/go` was "not a Go installation", and `site --out=~/docs` wrote the
    pages to a folder named `~` in the current one."""
    user = tmp_path / "user"
    shutil.copytree(Path(__file__).parent / "fixtures" / "goroot", user / "go")
    monkeypatch.setenv("HOME", str(user))
    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "ka"))
    monkeypatch.chdir(tmp_path)
    assert main(["fetch", "kubernetes", "--from", str(kube_repo), "--ref", "HEAD", "-q"]) == 0
    assert main(["index", "--goroot=~/go", "-q"]) == 0
    assert main(["site", "--out=~/docs", "-q"]) == 0
    assert (user / "docs" / "components").is_dir() and not (tmp_path / "~").exists()


@pytest.mark.parametrize("argv, given", [
    (["find", "main", "--repo", "etcd", "--repo", "kubernetes"], "--repo: given twice, 'etcd' and 'kubernetes'"),
    (["callers", "main", "--commit", "HEAD", "--commit", "v1.24.0"], "--commit: given twice, 'HEAD' and 'v1.24.0'"),
    (["component", "kube-scheduler", "--repo=etcd", "--repo=kubernetes"], "--repo: given twice"),
])
def test_a_query_given_two_repositories_or_commits_refuses_rather_than_keep_the_last(argv, given, tmp_path,
                                                                                    capsys):
    """`kubeatlas find main --repo etcd --repo kubernetes` answered for kubernetes alone, as if
    etcd had not been named; `site` takes --repo twice for both, so a query seemed to as well."""
    with pytest.raises(SystemExit) as exit:
        main([*argv, "--home", str(tmp_path / "home")])
    err = capsys.readouterr().err
    assert exit.value.code == 2 and err.count("\n") == 1
    assert f"error: argument {given}" in err and "run it once for each" in err


@pytest.mark.parametrize("argv, line", [
    (["find", "x", "--home", "/a", "--home", "/b"], "--home: given twice, '/a' and '/b': one home "
     "holds the clones and the index; run the command once for each"),
    (["site", "--out", "a", "--out", "b"], "--out: given twice, 'a' and 'b': a build writes one "
     "docs folder; run it once for each"),
    (["fetch", "etcd", "--ref", "v1", "--ref", "v2"], "--ref: given twice, 'v1' and 'v2': a fetch "
     "brings one ref; run it once for each"),
])
def test_a_folder_or_ref_given_twice_is_refused_rather_than_keep_the_last(argv, line, capsys):
    """`--home A --home B` (an alias's and the user's) read B alone, unsaid, and `fetch --ref v1
    --ref v2` fetched v2 only; a second, different value is refused as --repo's is."""
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2
    assert capsys.readouterr().err == (f"kubeatlas {argv[0]}: error: argument {line} (see "
                                       f"`kubeatlas {argv[0]} --help`)\n")


def test_the_same_folder_twice_is_no_conflict(tmp_path, capsys):
    """The default --out is no earlier value: `site --out x` is given once, and the same home
    twice is one home."""
    home = str(tmp_path / "home")
    assert main(["find", "main", "--home", home, "--home", home]) == 1
    assert "no index yet" in capsys.readouterr().err
    assert build_parser("site").parse_args(["site", "--out", "x"]).out == Path("x")


def test_a_query_given_the_same_repository_twice_reads_it(tmp_path, capsys):
    """A repeated --repo naming the same repository (an alias and a script agreeing) is no conflict."""
    assert main(["find", "main", "--repo", "etcd", "--repo", "etcd", "--home", str(tmp_path / "home")]) == 1
    assert "given twice" not in capsys.readouterr().err


@pytest.mark.parametrize("where, line", [
    (None, "{out}: No space left on device: free some space there, or give --out a folder on "
           "another disk"),
    ("out", "{out}: Read-only file system: give --out a folder on a writable file system"),
    ("home", "{home}/index.sqlite: Permission denied: give this user access to it, or give --home "
             "(or $KUBEATLAS_HOME) a folder of its own"),
])
def test_a_site_that_cannot_write_names_the_folder_and_its_option(where, line, tmp_path,
                                                                  monkeypatch, capsys):
    """`site --out DIR` on a full disk said "No space left on device: ... give --home a folder
    on another disk": no folder named (a failed write names no file), and the wrong option;
    on a read-only one, the option was wrong too."""
    import errno

    from analyzer import site

    out, home = tmp_path / "docs", tmp_path / "home"

    def fail(*args):
        if where == "home":
            raise PermissionError(errno.EACCES, "Permission denied", str(home / "index.sqlite"))
        if where == "out":
            raise OSError(errno.EROFS, "Read-only file system", str(out))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(site, "run", fail)
    assert main(["site", "--out", str(out), "--home", str(home)]) == 1
    assert capsys.readouterr().err == f"kubeatlas: error: {line.format(out=out, home=home)}\n"


@pytest.mark.parametrize("argv", [["site", "--git-dir", ""], ["cluster", "up", "--upstream", ""]])
def test_an_empty_value_is_refused_not_read_as_the_default(argv, tmp_path, monkeypatch, capsys):
    """`cluster up --upstream "$KUBEMARK"` with the variable unset started every reference
    component, as if no --upstream were given; `site --git-dir ""` said "--git-dir : not a git
    repository"."""
    from reference_impl import cluster

    def up(*args):
        raise cluster.ClusterError("not started in this test")

    monkeypatch.setattr(cluster, "up", up)
    with pytest.raises(SystemExit) as exit:
        main([*argv, "--home", str(tmp_path / "home"), "--dir" if argv[0] == "cluster" else "--out",
              str(tmp_path / "out")])
    assert exit.value.code == 2
    assert capsys.readouterr().err == (f"kubeatlas {argv[0]}: error: argument {argv[-2]}: is empty: "
                                       f"leave the option out for its default (see `kubeatlas {argv[0]} "
                                       "--help`)\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv", [["find", "Run"], ["index"], ["fetch", "etcd"]])
def test_a_blank_home_variable_is_refused_not_taken_for_a_folder(argv, tmp_path, monkeypatch,
                                                                capsys):
    """KUBEATLAS_HOME=" " was a folder named by a space in the current one: a query said "index
    ' /index.sqlite': no index yet" and `fetch` made that folder."""
    monkeypatch.setenv("KUBEATLAS_HOME", " ")
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert capsys.readouterr().err == ("kubeatlas: error: $KUBEATLAS_HOME is ' ', no folder: set "
                                       "it to one, or unset it for ~/.cache/kubeatlas\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", [["find", "Run"], ["index"], ["fetch", "etcd"]])
def test_a_relative_home_variable_is_refused(argv, tmp_path, monkeypatch, capsys):
    """KUBEATLAS_HOME=ka named a different home in each directory: `fetch` in one made ka/ there,
    and a query from another said no index. It is refused, naming the absolute path it meant
    here; --home, given to one command, may still be relative."""
    monkeypatch.setenv("KUBEATLAS_HOME", "ka")
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "kubeatlas: error: $KUBEATLAS_HOME is 'ka', a relative path, which names another folder "
        f"in each directory: set it to an absolute one, e.g. {tmp_path / 'ka'}, or give --home ka "
        "for this command alone\n")
    assert list(tmp_path.iterdir()) == []
    assert main(["find", "Run", "--home", "ka"]) == 1
    assert "no index yet" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["find", "Run"], ["index"], ["fetch", "etcd"]])
def test_a_relative_home_is_refused_when_it_would_choose_the_folder(argv, tmp_path, monkeypatch,
                                                                    capsys):
    """HOME=h (a script's, a container's) made h/.cache/kubeatlas in the current folder: a
    fetch in one directory, and a query in another found no index."""
    monkeypatch.delenv("KUBEATLAS_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", "h")
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "kubeatlas: error: $HOME is 'h', a relative path, which names another folder in each "
        "directory: give --home (or $KUBEATLAS_HOME) the folder for kubeatlas' clones and index, "
        "or set $HOME to an absolute path\n")
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    assert main(["find", "Run"]) == 1
    assert "no index yet" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["find", "Run"], ["fetch", "etcd"]])
@pytest.mark.parametrize("home, kind", [("/proc", "proc"), ("/sys", "sysfs")])
def test_a_home_on_a_kernel_file_system_is_refused_up_front(argv, home, kind, monkeypatch, capsys):
    """HOME=/proc (a service's user) made a query say 'no index yet: run `kubeatlas index`', and
    fetch '/proc/.cache: No such file or directory' (on /sys 'Operation not permitted', even
    for root), none saying that nothing can be kept there."""
    monkeypatch.delenv("KUBEATLAS_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", home)
    assert main([*argv, "-q"]) == 2
    assert capsys.readouterr().err == (
        f"kubeatlas: error: {home}/.cache/kubeatlas is inside {home}, which is on the kernel's "
        f"{kind} file system, where no file can be made: give --home (or $KUBEATLAS_HOME) a "
        "folder for kubeatlas' clones and index\n")


@pytest.mark.parametrize("argv, hint", [
    (["find", "Start", "Etcd"], "Etcd; kubeatlas find takes PATTERN alone: quote a name with a "
                                "blank in it"),
    (["path", "a", "b", "c"], "c; kubeatlas path takes FROM and TO alone: quote a name with a "
                              "blank in it"),
    (["component", "etcd", "kubelet"], "kubelet; kubeatlas component takes one NAME: run it once "
                                       "for each"),
    (["check", "etcd"], "etcd; kubeatlas check takes no name"),
])
def test_a_word_too_many_says_what_the_command_takes(argv, hint, capsys):
    """`kubeatlas find Start Etcd` (a name with a blank, unquoted) was "unrecognized arguments:
    Etcd", as if Etcd were a mistyped option."""
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2
    assert capsys.readouterr().err == (f"kubeatlas: error: unrecognized arguments: {hint} "
                                       f"(see `kubeatlas {argv[0]} --help`)\n")


@pytest.mark.parametrize("argv", [["index", "kubernetes", "--tests", "etcd"],
                                  ["index", "kubernetes", "-j", "2", "etcd", "-q"],
                                  ["fetch", "kubernetes", "--full", "etcd"]])
def test_repositories_named_on_both_sides_of_an_option_are_all_taken(argv):
    """`kubeatlas index kubernetes --tests etcd` said "unrecognized arguments: etcd": argparse
    reads a list of positionals in one run, where a shell user names words in any order."""
    assert build_parser(argv[0]).parse_args(argv).repos == ["kubernetes", "etcd"]


def test_an_option_left_over_is_still_unrecognized_among_repositories(capsys):
    """Words left over are repositories only when none of them is an option."""
    with pytest.raises(SystemExit) as exit:
        main(["index", "kubernetes", "--tests", "etcd", "--bogus"])
    assert exit.value.code == 2
    assert "unrecognized arguments: etcd --bogus" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--data-dir", "-q"])
def test_an_option_before_runs_component_says_where_it_goes(option, capsys):
    """`kubeatlas run --data-dir /tmp/e etcd` said "invalid choice: '/tmp/e'": the option's
    value was taken for the component."""
    with pytest.raises(SystemExit) as exit:
        main(["run", option, "/tmp/e", "etcd"])
    assert exit.value.code == 2
    assert capsys.readouterr().err == (
        f"kubeatlas run: error: {option} comes before the component: the component's options "
        "follow its name, as in `kubeatlas run etcd --data-dir DIR` (see `kubeatlas run --help`)\n")


def test_an_option_after_a_double_dash_is_not_answered_with_itself(capsys):
    """`kubeatlas find -- -x --json` said "unrecognized arguments: --json; did you mean --json?"."""
    with pytest.raises(SystemExit) as exit:
        main(["find", "--", "-x", "--json"])
    assert exit.value.code == 2
    assert capsys.readouterr().err == (
        "kubeatlas: error: unrecognized arguments: --json; --json follows `--`, after which every "
        "word is a name: give it before (see `kubeatlas find --help`)\n")


def test_a_mistyped_required_option_of_a_component_is_named(monkeypatch, capsys):
    """`kubeatlas run etcd --data-dri DIR` said only "required: --data-dir", as if no directory
    had been given; now, as etcd, the mistyped flag itself is what is refused."""
    monkeypatch.delenv("ETCD_DATA_DIR", raising=False)
    assert main(["run", "etcd", "--data-dri", "/tmp/x"]) == 2
    assert capsys.readouterr().err == "flag provided but not defined: -data-dri\n"


def test_a_mistyped_flag_of_a_kubernetes_component_is_named_before_a_missing_one(monkeypatch, capsys):
    """As cobra checks required flags after parsing, the unknown flag is what the user hears of."""
    monkeypatch.delenv("KUBECONFIG", raising=False)
    assert main(["run", "scheduler", "--kubeconfg", "/tmp/x"]) == 1
    assert capsys.readouterr().err == "Error: unknown flag: --kubeconfg\n"


@pytest.mark.parametrize("argv, code, line", [
    (["--kubelets", "300"], 2, "kubeatlas cluster: error: argument --kubelets: takes at most 254, "
     "not 300: kubelet N runs its pods on 127.0.N.0/24 (see `kubeatlas cluster --help`)"),
    (["--etcd", "/bin/true", "--etcd-members", "3"], 2, "kubeatlas: error: --etcd /bin/true runs "
     "as one member: --etcd-members above 1 starts reference members; give one of them"),
])
def test_a_cluster_that_cannot_be_as_asked_is_a_usage_error_before_anything_starts(
        argv, code, line, tmp_path, monkeypatch, capsys):
    """`cluster up --kubelets 300` and `--etcd PATH --etcd-members 3` exited 1, as a cluster
    that failed to start does, for what is a mistake on the command line (exit 2)."""
    from reference_impl import cluster

    monkeypatch.setattr(cluster, "up", lambda *args: pytest.fail("started a cluster"))
    try:
        got = main(["cluster", "up", *argv, "--dir", str(tmp_path / "cluster")])
    except SystemExit as exit:
        got = exit.code
    assert (got, capsys.readouterr().err) == (code, line + "\n")


def test_the_most_kubelets_a_cluster_takes_are_accepted():
    """254 kubelets, one loopback /24 each, is the most, and allowed."""
    assert build_parser("cluster").parse_args(["cluster", "up", "--kubelets", "254"]).kubelets == 254


@pytest.mark.parametrize("argv, names", [
    (["find", "-scheduler", "--json"], {"pattern": "-scheduler", "json": True}),
    (["show", "-Run"], {"symbol": "-Run"}),
    (["callers", "-Run", "-d2"], {"symbol": "-Run", "depth": 2}),
    (["path", "-a", "-b", "--through", "-c"], {"start": "-a", "goal": "-b", "through": ["-c"]}),
    (["find", "-hello"], {"pattern": "-hello"}),
    (["find", "-n5", "-x"], {"pattern": "-x", "limit": 5}),
])
def test_a_name_starting_with_a_dash_is_a_name_when_no_option_is_spelled_so(argv, names):
    """`kubeatlas find -scheduler` (the names in kube-scheduler's package) said "the following
    arguments are required: PATTERN" unless written `find -- -scheduler`. A one-dash word that
    is no option is a name; an option keeps a value attached to it (`-d2`), and a flag, which
    takes none, does not swallow a name (`-hello` is not -h)."""
    parsed = vars(build_parser(argv[0]).parse_args(argv))
    assert {key: parsed[key] for key in names} == names



@pytest.mark.parametrize("argv", [["find", "Run\udcff"], ["show", "Run\udcff"],
                                  ["callers", "Run\udcff"], ["path", "main", "Run\udcff"],
                                  ["path", "a", "b", "--through", "Run\udcff"],
                                  ["fetch", "etcd", "--from", "/tmp", "--url", "htt\udcff"],
                                  ["fetch", "etcd", "--from", "/tmp", "--ref", "v3.\udcff"]])
def test_a_name_that_is_not_utf8_is_one_line_not_a_traceback(argv, tmp_path, capsys):
    """`kubeatlas find $'Run\\xff'` (a Latin-1 terminal) ended in UnicodeEncodeError from SQLite,
    and so did `index` after `fetch --url $'https://…\\xff'`: the byte reaches Python as a lone
    surrogate. The index holds UTF-8 text: the word is refused."""
    with pytest.raises(SystemExit) as exit:
        main([*argv, "--home", str(tmp_path / "home")])
    err = capsys.readouterr().err
    assert exit.value.code == 2 and err.count("\n") == 1
    assert ": is not UTF-8 (byte 0xFF at 3): check the terminal's encoding" in err


def test_utf8_read_in_an_ascii_locale_is_the_word_it_spells():
    """Under LC_ALL=C with PYTHONUTF8=0, `find Grüße` reaches Python as Gr\\udcc3\\udcbc...
    and was refused as 'not UTF-8 (byte 0xC3 at 2)', though its bytes are UTF-8."""
    from analyzer.cli import symbol_name

    assert symbol_name("Gr\udcc3\udcbc\udcc3\udc9fe") == "Grüße"


def test_an_answer_with_stdout_closed_is_an_error_not_lost(tmp_path, monkeypatch, capsys):
    """`kubeatlas find Run >&-` printed nowhere and exited 0: Python makes sys.stdout None when
    the process starts without one, and print() then writes nothing."""
    monkeypatch.setattr("sys.stdout", None)
    assert main(["find", "Run", "--home", str(tmp_path / "home")]) == 1
    assert capsys.readouterr().err == ("kubeatlas: error: stdout is closed: the answer would be lost; send it "
                         "to a file or to /dev/null\n")


@pytest.mark.parametrize("action", ["status", "down"])
@pytest.mark.parametrize("recorded", [
    "{bad", "[]", '{"processes": 3}', b"\xff\xfe",
    '{"dir": "c", "kubeconfig": "k", "processes": [{"name": "etcd"}]}',
    '{"dir": "c", "kubeconfig": "k", "processes": [{"name": "etcd", "pid": "1", "argv": [], "log": "l"}]}',
])
def test_a_damaged_cluster_record_is_one_line_not_a_traceback(action, recorded, tmp_path, capsys):
    """`cluster status` and `cluster down` on a cluster.json cut short or edited by hand ended in
    JSONDecodeError, KeyError or TypeError tracebacks; a pid that is a string would have reached
    os.kill. The file is named as damaged, and left for the user to look at."""
    directory = tmp_path / "cluster"
    directory.mkdir()
    state = directory / "cluster.json"
    state.write_bytes(recorded if isinstance(recorded, bytes) else recorded.encode())
    assert main(["cluster", action, "--dir", str(directory)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"kubeatlas: error: {state} is damaged (") and err.count("\n") == 1
    assert err.endswith("): stop the processes it recorded, if any still run, and remove it\n")
    assert state.exists()


@pytest.mark.parametrize("given, problem", [
    ("go/bin", "is not a Go installation: it has no src/runtime: give --goroot {go}"),
    ("go/bin/go", "is a file, not a Go installation's folder: give --goroot {go}"),
    ("go/src", "is not a Go installation: it has no src/runtime: give --goroot {go}"),
    ("elsewhere", "is not a Go installation: it has no src/runtime: give the folder `go env "
                  "GOROOT` prints, or leave --goroot out to use the installed go's"),
    ("gone", "does not exist: give the folder `go env GOROOT` prints, or leave --goroot out to "
             "use the installed go's"),
])
def test_a_goroot_that_is_no_go_installation_is_a_usage_error_naming_the_one_meant(
        given, problem, etcd_repo, tmp_path, capsys):
    """`index --goroot /tmp` said "go: /tmp: not a Go installation (no src/runtime)" with exit
    1, naming no option and no remedy; the go binary, its bin/ or src/ given for GOROOT is
    answered with the folder above that is one."""
    go = tmp_path / "go"
    (go / "src" / "runtime").mkdir(parents=True)
    (go / "bin").mkdir()
    (go / "bin" / "go").write_text("")
    (tmp_path / "elsewhere").mkdir()
    home = ["--home", str(tmp_path / "home")]
    assert main(["fetch", "etcd", "--from", str(etcd_repo), "--ref", "HEAD", "-q", *home]) == 0
    capsys.readouterr()
    assert main(["index", "-q", "--goroot", str(tmp_path / given), *home]) == 2
    assert capsys.readouterr().err == (
        f"kubeatlas: error: --goroot {tmp_path / given} {problem.format(go=go)} (--no-goroot "
        "indexes without the standard library)\n")


def test_a_ctrl_c_while_the_command_line_is_read_ends_as_any_ctrl_c(monkeypatch, capsys):
    """Outside the command itself (reading the command line) a Ctrl-C was a traceback, and
    Python then killed itself with SIGINT: status -2 to a caller, not 130."""
    import analyzer.cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(analyzer.cli, "build_parser", interrupted)
    try:
        code = main(["find", "x"])
    except KeyboardInterrupt:  # pytest would take it for the user's own
        pytest.fail("the Ctrl-C escaped main")
    assert code == 130
    assert capsys.readouterr().err == "kubeatlas: interrupted\n"


def test_a_ctrl_c_while_the_command_starts_ends_as_any_ctrl_c(tmp_path):
    """The command's imports take half a second on a busy machine: a Ctrl-C then was a
    traceback through importlib and an exit by SIGINT."""
    import subprocess
    import sys

    (tmp_path / "sitecustomize.py").write_text(
        "import sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, *args):\n"
        "        if name == 'analyzer.progress':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n")
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", "import analyzer.cli"], capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin",
                                          "PYTHONPATH": f"{tmp_path}:{root}"})
    assert (done.returncode, done.stderr) == (130, "kubeatlas: interrupted\n")


def _cli_with_site(tmp_path, site: str, command: list[str], *argv: str, timeout: float | None = None):
    """The CLI run in a child Python whose sitecustomize is `site`, with SIGINT at its default
    (as a shell starts it): `command` is ["kubeatlas"] (the console script, as pip writes it) or
    ["-m", "analyzer.cli"]."""
    import signal
    import subprocess
    import sys

    (tmp_path / "sitecustomize.py").write_text(site)
    (tmp_path / "kubeatlas").write_text("import re\nimport sys\nfrom analyzer.cli import main\n"
                                        "if __name__ == '__main__':\n    sys.exit(main())\n")
    root = Path(__file__).resolve().parent.parent
    command = [str(tmp_path / "kubeatlas")] if command == ["kubeatlas"] else command
    return subprocess.run([sys.executable, *command, *argv], capture_output=True, text=True, timeout=timeout,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{tmp_path}:{root}"},
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


@pytest.mark.parametrize("command", [["kubeatlas"], ["-m", "analyzer.cli"]])
def test_a_ctrl_c_while_python_loads_the_command_ends_as_any_ctrl_c(command, tmp_path):
    """Between the package's import and cli.py's first line (Python finding and reading cli.py,
    compiling it after an upgrade) a Ctrl-C was a traceback from the `kubeatlas` script's import
    line, or from runpy's under -m, and an exit by SIGINT. A real SIGINT is sent there."""
    done = _cli_with_site(tmp_path, "import os, signal, sys\n"
                                    "class Interrupt:\n"
                                    "    def find_spec(self, name, *args):\n"
                                    "        if name == 'analyzer.cli':\n"
                                    "            os.kill(os.getpid(), signal.SIGINT)\n"
                                    "sys.meta_path.insert(0, Interrupt())\n",
                          command, "find", "x", "--home", str(tmp_path / "home"))
    assert (done.returncode, done.stderr) == (130, "kubeatlas: interrupted\n")


def _interrupting_at_exit(wait: float) -> str:
    """A sitecustomize whose atexit call, after main has returned, sends the process a real
    SIGINT and then waits `wait` seconds (a stuck thread's join, when long)."""
    return ("import atexit, os, signal, time\n"
            f"atexit.register(lambda: (os.kill(os.getpid(), signal.SIGINT), time.sleep({wait})))\n")


@pytest.mark.parametrize("command", [["kubeatlas"], ["-m", "analyzer.cli"]])
def test_a_ctrl_c_once_the_command_has_answered_changes_nothing(command, tmp_path):
    """A Ctrl-C as Python exits (its atexit calls, which join the pools' threads after an index)
    was an 'Exception ignored in atexit callback' traceback under the command's answer, or,
    later in the exit, a death by SIGINT (-2 to a caller) after the answer was complete. A real
    SIGINT is sent from an atexit call, after main has returned."""
    done = _cli_with_site(tmp_path, _interrupting_at_exit(0.05), command, "version")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("kubeatlas")


@pytest.mark.parametrize("argv, status", [(["version"], 0), (["find", "x"], 1)])
def test_a_ctrl_c_stops_an_exit_that_hangs_with_the_commands_status(argv, status, tmp_path):
    """Once the command had answered, SIGINT was ignored for the rest of Python's exit: a
    shutdown hanging on a thread's join (`run`, `cluster`) could not be stopped by Ctrl-C. It
    ends the process at once, quietly, with the command's status and its answer written out.
    An atexit call sends a real SIGINT, then waits as a stuck join would."""
    home = ["--home", str(tmp_path)] if argv[0] == "find" else []
    done = _cli_with_site(tmp_path, _interrupting_at_exit(60), ["-m", "analyzer.cli"], *argv, *home, timeout=20)
    assert done.returncode == status and "Traceback" not in done.stderr
    if status == 0:
        assert done.stdout.startswith("kubeatlas") and done.stderr == ""
    else:
        assert done.stderr.startswith("kubeatlas: error: ") and done.stderr.count("\n") == 1


def test_a_dependency_this_python_cannot_import_is_one_line_not_a_traceback(tmp_path):
    """`python3 -m analyzer.cli site` run by a Python without jinja2 (another user's, another
    virtualenv) ended in a ModuleNotFoundError traceback: commands import what they need only
    when they run, after the command line was read."""
    import subprocess
    import sys

    root = Path(__file__).parent.parent
    code = ("import sys; sys.modules['jinja2'] = None\n"
            "from analyzer.cli import main\n"
            f"sys.exit(main(['site', '--out', {str(tmp_path / 'docs')!r}, "
            f"'--home', {str(tmp_path / 'home')!r}]))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)})
    assert (done.returncode, done.stderr) == (1, (
        f"kubeatlas: error: site needs the Python package jinja2, which {sys.executable} cannot "
        "import: run kubeatlas with the Python it was installed into, or install its dependencies "
        "into this one (pip install kubeatlas)\n"))


def test_an_error_naming_a_path_with_a_line_break_stays_one_line(tmp_path, capsys):
    """A line break pasted into --home or --from (or a path made by `$(…)`) was printed as it
    is: the error took two lines, the second starting with the path's tail. It is escaped."""
    home = tmp_path / "h\n2"
    assert main(["find", "x", "--home", str(home)]) == 1
    assert capsys.readouterr().err == (
        f"kubeatlas: error: index {tmp_path}/h\\n2/index.sqlite: no index yet: run `kubeatlas "
        "index` first\n")
    assert main(["fetch", "etcd", "--from", str(tmp_path / "no\twhere"), "-q",
                 "--home", str(tmp_path / "home")]) == 1
    assert capsys.readouterr().err == (
        f"kubeatlas: error: etcd: {tmp_path}/no\\twhere: no such file or directory\n")
