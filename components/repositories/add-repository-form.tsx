"use client";
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";

export function AddRepositoryForm() {
  const client = useQueryClient();
  const [form, setForm] = useState({ name: "", url: "", username: "", token: "" });
  const add = useMutation({
    mutationFn: () => api("/api/repositories", { method: "POST", body: { ...form, username: form.username || null, token: form.token || null } }),
    onSuccess: () => {
      setForm({ name: "", url: "", username: "", token: "" });
      void client.invalidateQueries({ queryKey: ["repositories"] });
    },
  });
  const field = (key: keyof typeof form, label: string, props: React.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <label className="text-sm">
      <span className="block text-slate-600">{label}</span>
      <input
        name={key}
        value={form[key]}
        onChange={(e) => setForm({ ...form, [key]: e.target.value })}
        className="mt-1 w-full rounded border border-slate-300 px-2 py-1.5"
        {...props}
      />
    </label>
  );
  return (
    <form
      data-testid="add-repository-form"
      className="space-y-3 rounded border border-slate-200 bg-white p-4"
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate();
      }}
    >
      <h2 className="font-medium">Track a repository</h2>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-4">
        {field("name", "Name", { required: true, placeholder: "platform-config" })}
        {field("url", "HTTPS URL", { required: true, placeholder: "https://git.example.com/team/config.git" })}
        {field("username", "Username (optional)", { autoComplete: "off" })}
        {field("token", "Token (optional)", { type: "password", autoComplete: "new-password" })}
      </div>
      <ErrorBox error={add.error} />
      <Button type="submit" disabled={add.isPending}>
        {add.isPending ? "Checking repository…" : "Add repository"}
      </Button>
    </form>
  );
}
