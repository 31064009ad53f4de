using System.Text.RegularExpressions;

namespace Undersigned.Tests;

/// <summary>The Docker files as an operator builds and runs them (no Docker engine here: the files are read).</summary>
public sealed class DockerTests
{
    static string RepositoryFile(string name, [System.Runtime.CompilerServices.CallerFilePath] string here = "")
        => File.ReadAllText(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", name));

    [Fact]
    public void The_build_context_leaves_out_data_keys_databases_emails_and_build_output()
    {
        var ignored = RepositoryFile(".dockerignore").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet();
        Assert.Superset(new HashSet<string> { "**/data/", "**/bin/", "**/obj/", "**/*.db", "**/*.db-*", "**/*.eml", "**/admin-key", "**/data-key", "**/.env", "**/*.env" }, ignored);
    }

    [Fact]
    public void Compose_keeps_secrets_in_env_files_and_images_are_pinned_to_full_versions()
    {
        var compose = RepositoryFile("compose.yaml");
        // No secret in an environment: block (it would land in `docker inspect` and in version control).
        foreach (Match block in Regex.Matches(compose, @"^(\s*)environment:\s*\n((?:\1\s+.*\n)*)", RegexOptions.Multiline))
            Assert.DoesNotMatch(@"(?i)(DataKey|AdminKey|Password|ConnectionStrings|Secret)", block.Groups[2].Value);
        Assert.Contains("env_file: undersigned.env", compose);
        Assert.Contains("env_file: postgres.env", compose);
        Assert.Contains("undersigned.env", RepositoryFile(".gitignore"));
        foreach (Match image in Regex.Matches(compose, @"^\s*image:\s*(\S+)", RegexOptions.Multiline))
            Assert.Matches(@":\d+\.\d+(\.\d+)?(@sha256:[0-9a-f]{64})?\z", image.Groups[1].Value);
        foreach (Match from in Regex.Matches(RepositoryFile("Dockerfile"), @"^FROM\s+(\S+)", RegexOptions.Multiline))
            Assert.Matches(@":\d+\.\d+\.\d+(@sha256:[0-9a-f]{64})?\z", from.Groups[1].Value);
    }
}
