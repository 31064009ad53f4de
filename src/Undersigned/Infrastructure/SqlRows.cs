using System.Text;
using Dapper;

namespace Undersigned.Infrastructure;

/// <summary>Multi-row statements: a batch's rows in one <c>INSERT … VALUES</c> on either engine.</summary>
public static class SqlRows
{
    /// <summary>The <c>VALUES</c> list for these rows, each value a parameter of its own.</summary>
    public static (string Sql, DynamicParameters Parameters) Values(IEnumerable<object?[]> rows)
    {
        var parameters = new DynamicParameters();
        var sql = new StringBuilder();
        var r = 0;
        foreach (var row in rows)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < row.Length; c++)
            {
                var name = $"v{r}_{c}";
                parameters.Add(name, row[c]);
                sql.Append(c == 0 ? "@" : ", @").Append(name);
            }
            sql.Append(')');
            r++;
        }
        return (sql.ToString(), parameters);
    }
}
