namespace Undersigned.Infrastructure;

/// <summary>Files holding generated secrets: readable and writable by the service's own user only.</summary>
public static class SecretFile
{
    const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Write(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using (var stream = new FileStream(path, new FileStreamOptions
               { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
        using (var writer = new StreamWriter(stream))
            writer.Write(content + "\n");
        File.SetUnixFileMode(path, OwnerOnly); // UnixCreateMode does not apply to a file that already existed
    }
}
