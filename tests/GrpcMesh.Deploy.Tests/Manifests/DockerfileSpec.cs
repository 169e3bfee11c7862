namespace GrpcMesh.Deploy.Tests.Manifests;

/// <summary>The instructions of a Dockerfile (continuation lines joined, comments dropped), split into stages.</summary>
internal sealed record DockerfileSpec(IReadOnlyList<IReadOnlyList<(string Instruction, string Arguments)>> Stages)
{
    public static DockerfileSpec Load(string path)
    {
        var stages = new List<List<(string, string)>>();
        var logical = string.Join('\n', File.ReadAllLines(path).Where(l => !l.TrimStart().StartsWith('#')))
            .Replace("\\\n", " ", StringComparison.Ordinal);
        foreach (var line in logical.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var instruction = (space < 0 ? line : line[..space]).ToUpperInvariant();
            var arguments = space < 0 ? "" : line[(space + 1)..].Trim();
            if (instruction == "FROM")
            {
                stages.Add([]);
            }

            Assert.True(stages.Count > 0, $"{path}: {instruction} before the first FROM");
            stages[^1].Add((instruction, arguments));
        }

        return new DockerfileSpec(stages);
    }

    public IReadOnlyList<(string Instruction, string Arguments)> Final => Stages[^1];

    public IEnumerable<string> All(string instruction, IReadOnlyList<(string Instruction, string Arguments)>? stage = null) =>
        (stage ?? Stages.SelectMany(s => s).ToList()).Where(i => i.Instruction == instruction).Select(i => i.Arguments);
}
