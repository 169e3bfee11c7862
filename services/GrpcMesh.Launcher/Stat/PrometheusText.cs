using System.Globalization;
using System.Text;

namespace GrpcMesh.Launcher.Stat;

/// <summary>One sample of the Prometheus text exposition format: <c>name{label="value",…} value [timestamp]</c>.</summary>
internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : "";
}

/// <summary>Parses the text format the services' /metrics serve (comments and blank lines skipped).</summary>
internal static class PrometheusText
{
    public static IReadOnlyList<Sample> Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var nameEnd = line.IndexOfAny(['{', ' ']);
            if (nameEnd <= 0)
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var position = nameEnd;
            if (line[position] == '{')
            {
                position = ParseLabels(line, position + 1, labels);
            }

            var fields = line[position..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 0 && TryParseValue(fields[0], out var value))
            {
                samples.Add(new Sample(line[..nameEnd], labels, value));
            }
        }

        return samples;
    }

    // Reads label="value" pairs up to the closing brace; returns the index after it.
    private static int ParseLabels(string line, int position, Dictionary<string, string> labels)
    {
        while (position < line.Length && line[position] != '}')
        {
            var equals = line.IndexOf('=', position);
            if (equals < 0 || equals + 1 >= line.Length || line[equals + 1] != '"')
            {
                return line.Length;
            }

            var name = line[position..equals].Trim(' ', ',');
            var value = new StringBuilder();
            var i = equals + 2;
            for (; i < line.Length && line[i] != '"'; i++)
            {
                if (line[i] == '\\' && i + 1 < line.Length)
                {
                    i++;
                    value.Append(line[i] == 'n' ? '\n' : line[i]);
                }
                else
                {
                    value.Append(line[i]);
                }
            }

            labels[name] = value.ToString();
            position = i + 1;
            while (position < line.Length && line[position] is ',' or ' ')
            {
                position++;
            }
        }

        return Math.Min(position + 1, line.Length);
    }

    private static bool TryParseValue(string text, out double value)
    {
        switch (text)
        {
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }
}
