using YamlDotNet.RepresentationModel;

namespace GrpcMesh.Deploy.Tests.Manifests;

/// <summary>Small, failing-loudly navigation over YamlDotNet's representation model.</summary>
internal static class YamlNav
{
    public static IReadOnlyList<YamlMappingNode> LoadDocuments(string path)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            stream.Load(reader);
        }

        return stream.Documents.Select(d => Assert.IsType<YamlMappingNode>(d.RootNode)).ToList();
    }

    public static YamlNode? Find(this YamlNode node, params string[] path)
    {
        var current = node;
        foreach (var key in path)
        {
            if (current is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var child))
            {
                return null;
            }

            current = child;
        }

        return current;
    }

    public static YamlMappingNode Map(this YamlNode node, params string[] path) =>
        Assert.IsType<YamlMappingNode>(node.Find(path) ?? throw new KeyNotFoundException(string.Join('.', path)));

    public static IReadOnlyList<YamlNode> Seq(this YamlNode node, params string[] path) =>
        Assert.IsType<YamlSequenceNode>(node.Find(path) ?? throw new KeyNotFoundException(string.Join('.', path))).Children.ToList();

    public static string Str(this YamlNode node, params string[] path) =>
        Assert.IsType<YamlScalarNode>(node.Find(path) ?? throw new KeyNotFoundException(string.Join('.', path))).Value ?? "";

    public static int Int(this YamlNode node, params string[] path) =>
        int.Parse(node.Str(path), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The named item of a list of mappings with a "name" key (containers, ports, env).</summary>
    public static YamlNode Named(this IEnumerable<YamlNode> items, string name) =>
        items.SingleOrDefault(i => i.Find("name") is YamlScalarNode { Value: var n } && n == name)
        ?? throw new KeyNotFoundException($"no item named '{name}'");
}
